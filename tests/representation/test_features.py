"""The §5.1 extractor: vector length per image size, 4×4 max-pooling, uint8 → [-1, 1], and what it refuses."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from zerosum.config import DataInfo, DCGANConfig, resolve
from zerosum.errors import ConfigError
from zerosum.models import build_models
from zerosum.representation.features import check_run, extract, feature_dim, layer_shapes, pool_features

# D's hidden widths per side (ndf · 2^i, one block per halving down to 4×4; 28 takes the 32 layout)
WIDTHS = {16: [8, 16], 28: [8, 16, 32], 32: [8, 16, 32], 64: [8, 16, 32, 64]}


@pytest.mark.parametrize(("size", "channels"), [(16, 1), (28, 1), (32, 3), (64, 1)])
def test_feature_length_is_16_times_the_hidden_channels(size, channels):
    _, D = build_models(DCGANConfig(ndf=8, ngf=8, nz=4), (channels, size, size))
    assert feature_dim(D) == 16 * sum(WIDTHS[size])
    images = torch.randint(0, 256, (3, channels, size, size), dtype=torch.uint8)
    assert extract(D, images).shape == (3, 16 * sum(WIDTHS[size]))


def test_28_by_28_layers_are_14_7_4():
    _, D = build_models(DCGANConfig(ndf=8, ngf=8, nz=4), (1, 28, 28))
    assert layer_shapes(D) == [(8, 14, 14), (16, 7, 7), (32, 4, 4)]


def test_max_pool_of_known_maps():
    eight = torch.arange(64.0).reshape(1, 1, 8, 8)
    four = torch.arange(16.0).reshape(1, 1, 4, 4) * -1
    pooled = pool_features([eight, four])
    # 8×8 → 4×4: the max of each 2×2 block is its bottom-right value, 8·(2i+1) + 2j+1
    expected = torch.tensor([[8 * (2 * i + 1) + 2 * j + 1 for j in range(4)] for i in range(4)], dtype=torch.float32)
    assert torch.equal(pooled[0, :16], expected.flatten())
    assert torch.equal(pooled[0, 16:], four.flatten())  # a 4×4 map stays as it is, after the first layer's 16
    seven = torch.arange(49.0).reshape(1, 1, 7, 7)
    ends = [2, 4, 6, 7]  # adaptive windows over 7: [0,2) [1,4) [3,6) [5,7)
    want = torch.tensor([[7 * (a - 1) + b - 1 for b in ends] for a in ends], dtype=torch.float32)
    assert torch.equal(pool_features([seven])[0], want.flatten())


def test_extract_maps_uint8_to_the_range_and_ignores_the_batch():
    torch.manual_seed(0)
    _, D = build_models(DCGANConfig(ndf=8, ngf=8, nz=4), (1, 16, 16))
    D.train()  # extract must switch to running statistics itself
    images = torch.randint(0, 256, (7, 1, 16, 16), dtype=torch.uint8)
    whole = extract(D, images, (-1.0, 1.0), batch_size=100)
    assert not D.training
    assert torch.allclose(whole, extract(D, images, (-1.0, 1.0), batch_size=3), atol=1e-6)
    with torch.no_grad():
        by_hand = pool_features(D.features(images.float() / 127.5 - 1.0))
    assert torch.allclose(whole, by_hand, atol=1e-5)
    assert not torch.allclose(whole, extract(D, images, (0.0, 1.0)), atol=1e-3)
    assert extract(D, images[:0]).shape == (0, 16 * 24)


def _fake_run(
    *overrides: str, kind: str = "image", arch_preset: str = "dcgan-mnist", with_d: bool = True
) -> SimpleNamespace:
    cfg = resolve(arch_preset, list(overrides))
    cfg.data_info = DataInfo(kind=kind, shape=[1, 28, 28], num_classes=10)
    return SimpleNamespace(config=cfg, path=Path("some/run"), D=object() if with_d else None)


def test_check_run_refuses_what_has_no_per_image_conv_features():
    check_run(_fake_run())
    for overrides, message in (
        (["model.conditional=true"], "conditional"),
        (["model.pack=2"], "PacGAN"),
        (["model.arch=mlp"], "mlp run"),
    ):
        with pytest.raises(ConfigError, match=message):
            check_run(_fake_run(*overrides))
    with pytest.raises(ConfigError, match="needs a run trained on images"):
        check_run(_fake_run(kind="points"))
    with pytest.raises(ConfigError, match="discriminator"):
        check_run(_fake_run(with_d=False))
