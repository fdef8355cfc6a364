import numpy as np
import pytest
import torch
from PIL import Image

from zerosum.config import DataConfig, PairsConfig
from zerosum.data.dataset import ImageSet
from zerosum.errors import ConfigError, DataError
from zerosum.translation import pairs as P


def _faces(n: int = 6, size: int = 32, channels: int = 1, seed: int = 0) -> ImageSet:
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, channels, size // 4, size // 4, generator=g)
    smooth = torch.nn.functional.interpolate(base, size=size, mode="bilinear", align_corners=False)
    x = (smooth * 200 + torch.rand(n, channels, size, size, generator=g) * 55).round().to(torch.uint8)
    return ImageSet(x, torch.arange(n) % 3, ("a", "b", "c"), "synthetic")


def test_bicubic_degradation_equals_pil_and_area_equals_block_means():
    images = _faces(4, 32)
    data = P.make_pairs(images, PairsConfig(task="upscale", factor=4))
    lr, hr = data.batch(torch.arange(4), value_range=(0.0, 1.0))
    assert lr.shape == (4, 1, 8, 8) and hr.shape == (4, 1, 32, 32)
    for i in range(4):
        ref = Image.fromarray(images.images[i, 0].numpy()).resize((8, 8), Image.BICUBIC)
        ours = (lr[i, 0] * 255).round().numpy()
        assert np.abs(ours - np.asarray(ref, dtype=np.float64)).max() <= 1  # PIL rounds each pass
    area = P.make_pairs(images, PairsConfig(task="upscale", factor=4, degrade="area"))
    lr_area, _ = area.batch(torch.arange(4), value_range=(0.0, 1.0))
    means = images.images.float().view(4, 1, 8, 4, 8, 4).mean((3, 5)) / 255
    assert (lr_area - P.quantise(means)).abs().max() <= 1 / 255 + 1e-6  # a mean may sit on a rounding edge
    assert (lr_area - means).abs().max() <= 0.5 / 255 + 1e-6


def test_blur_and_noise_degrade_further_and_noise_follows_the_generator():
    images = _faces(4, 32)
    plain = P.make_pairs(images, PairsConfig(task="upscale", factor=2))
    blurred = P.make_pairs(images, PairsConfig(task="upscale", factor=2, blur=1.5))
    a, _ = plain.batch(slice(0, 4), (0.0, 1.0))
    b, _ = blurred.batch(slice(0, 4), (0.0, 1.0))
    assert b.std() < a.std()  # a blur removes detail
    noisy = P.make_pairs(images, PairsConfig(task="upscale", factor=2, noise=0.05))
    n1, _ = noisy.batch(slice(0, 4), (0.0, 1.0), generator=torch.Generator().manual_seed(1))
    n2, _ = noisy.batch(slice(0, 4), (0.0, 1.0), generator=torch.Generator().manual_seed(1))
    n3, _ = noisy.batch(slice(0, 4), (0.0, 1.0), generator=torch.Generator().manual_seed(2))
    assert torch.equal(n1, n2) and not torch.equal(n1, n3)
    assert 0.03 < (n1 - a).std() < 0.07


def test_gaussian_blur_keeps_constants_and_sums_to_one():
    x = torch.full((1, 2, 9, 9), 0.3)
    assert torch.allclose(P.gaussian_blur(x, 2.0), x, atol=1e-6)
    impulse = torch.zeros(1, 1, 21, 21)
    impulse[0, 0, 10, 10] = 1
    assert P.gaussian_blur(impulse, 1.0).sum().item() == pytest.approx(1.0, abs=1e-5)
    assert P.gaussian_blur(torch.rand(1, 1, 3, 3), 4.0).shape == (1, 1, 3, 3)  # a kernel wider than the image


def test_mask_pairs_are_one_hot_both_ways():
    x = torch.randint(0, 256, (3, 3, 8, 8), dtype=torch.uint8)
    m = torch.randint(0, 4, (3, 8, 8), dtype=torch.uint8)
    images = ImageSet(x, torch.zeros(3), (), "s", masks=m, mask_classes=("bg", "e", "r", "t"))
    p2m = P.make_pairs(images, PairsConfig(task="photo_to_mask"))
    photo, maps = p2m.batch([0, 2])
    assert p2m.shape == (4, 8, 8) and p2m.input_shape == (3, 8, 8)
    assert torch.equal(maps.argmax(1), m[[0, 2]].long()) and set(maps.unique().tolist()) == {-1.0, 1.0}
    assert torch.allclose(photo, x[[0, 2]].float() / 127.5 - 1, atol=1e-6)
    m2p = P.make_pairs(images, PairsConfig(task="mask_to_photo"))
    inputs, target = m2p.batch([1])
    assert m2p.input_shape == (4, 8, 8) and torch.equal(inputs.argmax(1), m[[1]].long())


def test_threshold_masks_make_silhouettes_of_grey_images():
    x = torch.tensor([[[[0, 10, 17, 200]]]], dtype=torch.uint8)
    images = ImageSet(x, torch.zeros(1), (), "grey")
    data = P.make_pairs(images, PairsConfig(task="photo_to_mask", masks="threshold", threshold=16))
    assert data.mask_classes == P.SILHOUETTE_CLASSES
    assert data.masks.tolist() == [[[0, 0, 1, 1]]]


def test_test_classes_are_held_out_of_training():
    cfg = DataConfig(name="shapes", params={"n": 10})
    images = _faces(9)
    train = P._by_classes(images, ["c"], held_out=False)
    test = P._by_classes(images, ["c"], held_out=True)
    assert len(train) == 6 and len(test) == 3 and (test.labels == 2).all()
    with pytest.raises(DataError, match="not classes of"):
        P._by_classes(images, ["zz"], held_out=True)
    assert cfg.pairs is None


@pytest.mark.parametrize(
    "images, pairs, words",
    [
        (_faces(2, 30), PairsConfig(task="upscale", factor=4), "multiple of the factor"),
        (_faces(2, 4), PairsConfig(task="upscale", factor=8), "cannot be upscaled"),
        (_faces(2, 32), PairsConfig(task="photo_to_mask"), "has no masks"),
        (_faces(2, 32, channels=3), PairsConfig(task="photo_to_mask", masks="threshold"), "is RGB"),
        (
            ImageSet(torch.zeros(1, 3, 4, 4, dtype=torch.uint8), torch.zeros(1), (), "m",
                     masks=torch.full((1, 4, 4), 5, dtype=torch.uint8), mask_classes=("a", "b")),
            PairsConfig(task="photo_to_mask"),
            "holds class 5",
        ),
    ],
)  # fmt: skip
def test_pairs_that_cannot_be_made_are_one_line_errors(images, pairs, words):
    with pytest.raises(DataError, match=words) as err:
        P.make_pairs(images, pairs)
    assert "\n" not in str(err.value)


def test_a_factor_that_is_not_a_power_of_two_is_refused():
    from zerosum.config import resolve

    with pytest.raises(ConfigError, match="power of two"):
        resolve(None, ["model.arch=srgan", "data.pairs.task=upscale", "data.pairs.factor=3"])
