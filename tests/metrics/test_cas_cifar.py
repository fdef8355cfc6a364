"""`cas_cifar10`: the small ResNet recipe, its augmentation, and CAS on real images giving the real accuracy."""

from __future__ import annotations

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.metrics import cas
from zerosum.metrics import cifar_classifier as rc
from zerosum.metrics.registry import EvalContext


def test_crops_and_flips_keep_each_image_whole():
    x = torch.zeros(40, 3, 8, 8)
    x[:, :, 3, 5] = 1.0  # one lit pixel, off-centre
    out = rc.augment(x, torch.Generator().manual_seed(0), pad=2)
    assert out.shape == x.shape and torch.equal(out.sum((1, 2, 3)), torch.full((40,), 3.0))  # nothing lost at ±2
    cols = out[:, 0].amax(1).argmax(1)
    assert len(set(cols.tolist())) > 4  # offsets and mirroring vary from image to image


def test_resnet_maps_images_to_class_logits():
    model = rc.SmallResNet(widths=(4, 8, 8))
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 10)


@pytest.fixture
def small_cifar(monkeypatch, data_root, tmp_path):
    """CIFAR-10 cut to 512 training and 500 test images, one epoch: plumbing, not accuracy."""
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path))  # never cache this weak ResNet where other tests look
    images, labels = {}, {}
    for split, n in (("train", 512), ("test", 500)):
        data = rc.load_dataset(DataConfig(name="cifar10", split=split, limit=n))
        images[split], labels[split] = data.images, data.labels
    monkeypatch.setattr(rc, "load_cifar", lambda split: (images[split], labels[split]))
    monkeypatch.setattr(rc, "EPOCHS", 1)
    return images, labels


def test_cas_on_real_images_in_place_of_samples_is_the_real_accuracy(small_cifar):
    images, labels = small_cifar

    def labelled(y: torch.Tensor, seed: int) -> torch.Tensor:
        assert torch.equal(y, labels["train"])  # one sample per training label, in order
        return images["train"].float() / 255

    def draw(n: int, seed: int) -> torch.Tensor:
        return images["test"][:n].float() / 255  # GAN-test reads these under labels i mod 10

    ctx = EvalContext(draw=draw, data=DataConfig(name="cifar10"), draw_labelled=labelled, num_classes=10)
    record = cas.cas_cifar10(ctx)
    assert record["n_train"] == 512 and record["n_test"] == 500
    assert abs(record["value"] - record["real"]) <= 0.005
