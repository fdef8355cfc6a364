import numpy as np
import pytest
import torch
from PIL import Image

from zerosum.errors import DataError
from zerosum.images import load_image, make_grid, save_gif, save_grid, save_png, to_uint8


def test_to_uint8_maps_and_clamps():
    x = torch.tensor([-1.0, 0.0, 1.0, 5.0, -7.0, float("nan")])
    assert to_uint8(x).tolist() == [0, 128, 255, 255, 0, 0]
    assert to_uint8(torch.tensor([0.0, 0.5, 1.0]), (0, 1)).tolist() == [0, 128, 255]
    u = torch.tensor([3], dtype=torch.uint8)
    assert to_uint8(u) is u


def test_grid_layout():
    imgs = torch.stack([torch.full((1, 2, 3), float(v)) for v in (-1.0, 1.0, 0.0)])  # 3 images of 2x3
    g = make_grid(imgs, nrow=2, padding=1, pad_value=9)
    assert g.dtype == np.uint8 and g.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert g[1, 1, 0] == 0 and g[1, 5, 0] == 255 and g[4, 1, 0] == 128
    assert g[0, 0, 0] == 9 and g[4, 5, 0] == 9  # gaps and the empty cell are padding
    one_row = make_grid(torch.zeros(3, 3, 4, 4, dtype=torch.uint8), nrow=8, padding=0)
    assert one_row.shape == (4, 12, 3)


def test_save_png_is_atomic_and_readable(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (5, 6, 3)).astype(np.uint8)
    path = save_png(tmp_path / "sub" / "a.png", rgb)
    assert [p.name for p in path.parent.iterdir()] == ["a.png"]  # no temp file left behind
    np.testing.assert_array_equal(np.asarray(Image.open(path)), rgb)
    gray = save_png(tmp_path / "g.png", torch.zeros(1, 4, 4, dtype=torch.uint8))
    assert Image.open(gray).mode == "L"
    with pytest.raises(TypeError, match="uint8"):
        save_png(tmp_path / "f.png", np.zeros((2, 2), np.float32))


def test_save_grid_and_load_image_roundtrip(tmp_path):
    imgs = torch.rand(4, 3, 8, 8) * 2 - 1
    path = save_grid(tmp_path / "grid.png", imgs, nrow=2)
    back = load_image(path)
    assert back.shape == (3, 2 * 10 + 2, 2 * 10 + 2) and back.dtype == torch.uint8
    assert torch.equal(back[:, 2:10, 2:10], to_uint8(imgs[0]))
    assert load_image(path, channels=1).shape == (1, 22, 22)


def test_load_image_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG nope")
    with pytest.raises(DataError, match=r"bad\.png"):
        load_image(bad)


def test_save_gif(tmp_path):
    frames = [np.full((6, 6, 3), v, np.uint8) for v in (0, 128, 255)]
    path = save_gif(tmp_path / "a.gif", frames, duration_ms=50)
    with Image.open(path) as im:
        assert im.n_frames == 3 and im.info.get("loop") == 0
    with pytest.raises(ValueError):
        save_gif(tmp_path / "b.gif", [])


def test_an_upload_is_bounded_before_it_is_decoded() -> None:
    import io

    import pytest
    from PIL import Image

    from zerosum.errors import DataError
    from zerosum.images import image_from_bytes

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 20, 30)).save(buf, format="PNG")
    image = image_from_bytes(buf.getvalue(), "upload", max_pixels=60_000)
    assert image.shape == (3, 200, 300) and image[:, 0, 0].tolist() == [10, 20, 30]
    assert image_from_bytes(buf.getvalue(), "upload", 60_000, channels=1).shape == (1, 200, 300)
    with pytest.raises(DataError, match="upload: 300×200 is larger than 59,999 pixels"):
        image_from_bytes(buf.getvalue(), "upload", max_pixels=59_999)
    with pytest.raises(DataError, match="upload: not an image"):
        image_from_bytes(b"GIF89a but no more", "upload", max_pixels=10)
