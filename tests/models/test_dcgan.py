"""DCGAN generator/discriminator: shapes at every supported size, layer plan, BatchNorm placement, init."""

import pytest
import torch
from torch import nn

from zerosum.config import DCGANConfig
from zerosum.errors import ConfigError
from zerosum.models import DCGANDiscriminator, DCGANGenerator, build_models

SIZES = [16, 28, 32, 64, 128, 256]


def _cfg(**kw) -> DCGANConfig:
    kw.setdefault("ngf", 4)
    kw.setdefault("ndf", 4)
    return DCGANConfig(nz=8, embed_dim=6, **kw)


def _has_bn(module: nn.Module) -> bool:
    return any(isinstance(m, nn.BatchNorm2d) for m in module.modules())


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", SIZES)
def test_shapes_at_every_size(size, channels, conditional):
    g, d = build_models(_cfg(conditional=conditional), (channels, size, size), num_classes=10)
    assert isinstance(g, DCGANGenerator) and isinstance(d, DCGANDiscriminator)
    assert g.out_shape == (channels, size, size) and g.conditional is conditional
    z = g.sample_z(3, torch.Generator().manual_seed(0))
    y = torch.tensor([0, 9, 4]) if conditional else None
    x = g(z, y)
    assert x.shape == (3, channels, size, size)
    logits = d(x, y)
    assert logits.shape == (3,)
    feats = d.features(x, y)
    assert len(feats) == len(d.blocks) and feats[-1].shape[-1] == 4
    assert [f.shape[-1] for f in feats] == [-(-size // 2 ** (i + 1)) for i in range(len(feats))]  # 28: 14, 7, 4
    gfeats = g.forward_features(z, y)
    assert len(gfeats) == len(g.blocks) and torch.equal(gfeats[-1], x)
    assert gfeats[-2].shape[-1] == size // 2  # the second-to-last conv layer's maps, for "forgetting"
    assert torch.equal(g.blocks[-1](gfeats[-2]), x)  # blocks run by hand reproduce forward


def test_standard_64_layer_plan_matches_the_paper():
    g, d = build_models(DCGANConfig(), (3, 64, 64))
    z = g.sample_z(2)
    assert [tuple(f.shape[1:]) for f in g.forward_features(z)] == [
        (512, 4, 4), (256, 8, 8), (128, 16, 16), (64, 32, 32), (3, 64, 64)
    ]  # fmt: skip
    x = torch.randn(2, 3, 64, 64)
    assert [tuple(f.shape[1:]) for f in d.features(x)] == [(64, 32, 32), (128, 16, 16), (256, 8, 8), (512, 4, 4)]
    first = g.blocks[0][0]
    assert isinstance(first, nn.ConvTranspose2d) and first.kernel_size == (4, 4) and first.stride == (1, 1)
    assert first.in_channels == 100 and first.padding == (0, 0)
    assert isinstance(d.head, nn.Conv2d) and d.head.kernel_size == (4, 4) and d.head.out_channels == 1
    # no pooling and no fully connected layers anywhere
    for net in (g, d):
        assert not any(isinstance(m, (nn.Linear, nn.MaxPool2d, nn.AvgPool2d)) for m in net.modules())


def test_28_is_the_32_plan_with_a_4_to_7_step():
    g, d = build_models(_cfg(ngf=8, ndf=8), (1, 28, 28))
    assert [tuple(f.shape[1:]) for f in g.forward_features(g.sample_z(2))] == [
        (32, 4, 4), (16, 7, 7), (8, 14, 14), (1, 28, 28)
    ]  # fmt: skip
    assert g.blocks[1][0].kernel_size == (3, 3) and g.blocks[1][0].stride == (2, 2)
    assert [tuple(f.shape[1:]) for f in d.features(torch.randn(2, 1, 28, 28))] == [(8, 14, 14), (16, 7, 7), (32, 4, 4)]
    assert d.blocks[2][0].kernel_size == (3, 3) and d.head.kernel_size == (4, 4) and d.head.in_channels == 32


def test_width_capped_at_8x_for_large_images():
    g, d = build_models(_cfg(), (3, 256, 256))
    widths = [b[0].out_channels for b in g.blocks[:-1]]
    assert widths == [32, 32, 32, 16, 8, 4]
    assert [b[0].out_channels for b in d.blocks] == [4, 8, 16, 32, 32, 32]


@pytest.mark.parametrize("size", [16, 28, 64])
def test_batchnorm_everywhere_but_g_output_and_d_input(size):
    g, d = build_models(_cfg(), (3, size, size))
    assert not _has_bn(g.blocks[-1]) and all(_has_bn(b) for b in g.blocks[:-1])
    assert not _has_bn(d.blocks[0]) and all(_has_bn(b) for b in d.blocks[1:])
    assert not _has_bn(d.head)
    # convolutions followed by BatchNorm carry no bias; the others do (initialised to 0)
    for block in list(g.blocks) + list(d.blocks):
        conv = block[0]
        assert (conv.bias is None) == _has_bn(block)
    assert isinstance(g.blocks[0][2], nn.ReLU) and isinstance(g.blocks[-1][1], nn.Tanh)
    assert all(isinstance(b[-1], nn.LeakyReLU) and b[-1].negative_slope == 0.2 for b in d.blocks)


def test_init_statistics():
    torch.manual_seed(0)
    cfg = DCGANConfig(conditional=True, d_conditioning="projection")
    g, d = build_models(cfg, (3, 64, 64), num_classes=10)
    for net in (g, d):
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.weight.numel() > 10_000:
                assert m.weight.mean().abs() < 2e-3 and m.weight.std().item() == pytest.approx(0.02, rel=0.05)
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.bias is not None:
                assert torch.all(m.bias == 0)
            if isinstance(m, nn.BatchNorm2d):
                assert m.weight.mean().item() == pytest.approx(1.0, abs=0.01)
                assert 0.005 < m.weight.std().item() < 0.04 and torch.all(m.bias == 0)
    assert d.embed.weight.std().item() == pytest.approx(0.02, rel=0.1)


@pytest.mark.parametrize(("output", "lo", "hi"), [("auto", -1, 1), ("tanh", -1, 1), ("sigmoid", 0, 1)])
def test_output_range(output, lo, hi):
    g, _ = build_models(_cfg(g_output=output), (1, 16, 16))
    assert g.output_range == (lo, hi)
    with torch.no_grad():
        g.blocks[-1][0].weight.mul_(1000)  # huge pre-activations saturate the output activation
        x = g(g.sample_z(16))
    assert x.min() >= lo and x.max() <= hi and x.min() < lo + 0.01 and x.max() > hi - 0.01
    g_lin, _ = build_models(_cfg(g_output="linear"), (1, 16, 16))
    assert g_lin.output_range is None


def test_concat_conditioning_adds_one_hot_input_maps():
    torch.manual_seed(0)
    _, d = build_models(_cfg(conditional=True), (1, 16, 16), num_classes=3)
    assert d.blocks[0][0].in_channels == 1 + 3 and d.embed is None
    d.eval()
    x = torch.randn(4, 1, 16, 16)
    assert not torch.allclose(d(x, torch.zeros(4, dtype=torch.long)), d(x, torch.ones(4, dtype=torch.long)))
    with torch.no_grad():
        d.blocks[0][0].weight[:, 1:].zero_()  # cut the label channels: the label no longer matters
    torch.testing.assert_close(d(x, torch.zeros(4, dtype=torch.long)), d(x, torch.full((4,), 2)))


def test_projection_term_uses_the_label():
    torch.manual_seed(0)
    _, d = build_models(_cfg(conditional=True, d_conditioning="projection"), (1, 16, 16), num_classes=3)
    d.eval()
    x = torch.randn(4, 1, 16, 16)
    a, b = d(x, torch.zeros(4, dtype=torch.long)), d(x, torch.ones(4, dtype=torch.long))
    assert not torch.allclose(a, b)
    with torch.no_grad():
        d.embed.weight.zero_()
    torch.testing.assert_close(d(x, torch.zeros(4, dtype=torch.long)), d(x, torch.full((4,), 2)))


@pytest.mark.parametrize("shape", [(3, 48, 48), (3, 8, 8), (3, 512, 512), (3, 64, 32), (1, 27, 27)])
def test_unsupported_sizes(shape):
    with pytest.raises(ConfigError, match="power of two from 16 to 256, or 28") as err:
        build_models(_cfg(), shape)
    assert "\n" not in str(err.value)


def test_point_data_needs_mlp():
    with pytest.raises(ConfigError, match="arch=mlp"):
        build_models(_cfg(), (2,))


def test_backward_reaches_every_parameter():
    g, d = build_models(_cfg(conditional=True), (3, 32, 32), num_classes=4)
    y = torch.tensor([0, 1, 2, 3])
    d(g(g.sample_z(4), y), y).sum().backward()
    for name, p in list(g.named_parameters()) + list(d.named_parameters()):
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


def test_minibatch_std_lets_d_see_batch_diversity():
    torch.manual_seed(0)
    _, d = build_models(_cfg(d_minibatch_std=True), (1, 16, 16))
    d.eval()
    x = torch.randn(8, 1, 16, 16)
    same = x[:1].expand(8, -1, -1, -1)
    # the first sample is identical in both batches; only the batch's spread differs
    assert not torch.allclose(d(x)[0], d(same)[0])
    _, plain = build_models(_cfg(), (1, 16, 16))
    plain.eval()
    torch.testing.assert_close(plain(x)[:1], plain(x[:1]))
