import numpy as np
import pytest
import torch
from PIL import Image

from zerosum.data.transforms import prepare, resize_crop, rgb_to_gray, target_shape, to_channels


def test_luma_matches_pil_bit_for_bit():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 9, 3)).astype(np.uint8)
    ours = rgb_to_gray(torch.from_numpy(rgb).permute(2, 0, 1)[None])[0, 0].numpy()
    np.testing.assert_array_equal(ours, np.asarray(Image.fromarray(rgb).convert("L")))
    pure = torch.tensor([255, 0, 0], dtype=torch.uint8).view(1, 3, 1, 1)
    assert rgb_to_gray(pure).item() == 76  # round(0.299 * 255)


def test_gray_to_rgb_copies_the_plane():
    x = torch.arange(4, dtype=torch.uint8).view(1, 1, 2, 2)
    y = to_channels(x, 3)
    assert y.shape == (1, 3, 2, 2) and y.is_contiguous()
    assert all(torch.equal(y[:, c], x[:, 0]) for c in range(3))
    assert to_channels(x, None) is x and to_channels(x, 1) is x


def test_same_size_is_an_exact_no_op():
    x = torch.randint(0, 256, (3, 1, 5, 5), dtype=torch.uint8)
    for mode in ("area", "bicubic"):
        assert resize_crop(x, 5, mode) is x
    assert resize_crop(x, None) is x


def test_area_downscale_averages_blocks():
    x = torch.tensor([[10, 20, 100, 100], [30, 40, 100, 100], [0, 0, 255, 255], [0, 1, 255, 255]], dtype=torch.uint8)
    y = resize_crop(x.view(1, 1, 4, 4), 2, "area")
    assert y[0, 0].tolist() == [[25, 100], [0, 255]]  # (10+20+30+40)/4, ..., (0+0+0+1)/4 rounds to 0


def test_shorter_side_then_center_crop():
    assert target_shape(4, 8, 2) == (2, 4) and target_shape(9, 6, 4) == (6, 4)
    x = torch.arange(2 * 6, dtype=torch.uint8).view(1, 1, 2, 6)
    y = resize_crop(x, 2)  # shorter side already 2: a pure crop of the middle columns 2..3
    assert y[0, 0].tolist() == [[2, 3], [8, 9]]
    wide = torch.zeros(1, 3, 8, 16, dtype=torch.uint8)
    wide[..., 4:12] = 200  # the middle half is bright; downscaled and cropped it fills the output
    out = resize_crop(wide, 4, "area")
    assert out.shape == (1, 3, 4, 4) and out.min().item() == 200


@pytest.mark.parametrize("mode", ["area", "bicubic"])
def test_constant_images_stay_constant_up_and_down(mode):
    x = torch.full((2, 1, 12, 12), 77, dtype=torch.uint8)
    for size in (5, 20):
        y = resize_crop(x, size, mode)
        assert y.shape == (2, 1, size, size) and y.dtype == torch.uint8
        assert torch.all(y == 77)


def test_bicubic_downscale_is_antialiased():
    stripes = torch.zeros(1, 1, 32, 32, dtype=torch.uint8)
    stripes[..., ::2] = 255  # one-pixel stripes must blur to mid gray, not alias to black or white
    y = resize_crop(stripes, 8, "bicubic").float()
    assert (y - 127.5).abs().max() < 10


def test_prepare_order_and_contiguity():
    x = torch.randint(0, 256, (4, 3, 10, 10), dtype=torch.uint8)
    y = prepare(x, 1, 5, "area")
    assert y.shape == (4, 1, 5, 5) and y.is_contiguous()
    z = prepare(x[:, :1], 3, 5, "area")
    assert z.shape == (4, 3, 5, 5) and torch.equal(z[:, 0], z[:, 2])


def test_resizing_many_images_shows_progress(monkeypatch, capsys, show_progress):
    monkeypatch.setattr("zerosum.data.transforms.CHUNK", 4)
    x = torch.zeros(10, 1, 8, 8, dtype=torch.uint8)
    assert prepare(x, 1, 16).shape == (10, 1, 16, 16)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"resizing to 16×16: {k}/10 img" for k in (4, 8, 10)]
    prepare(x, 1, 8)  # already the right size: no work, no output
    assert capsys.readouterr().err == ""
