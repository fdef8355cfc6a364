import pytest
import torch

from zerosum.config import SRGANConfig
from zerosum.errors import ConfigError
from zerosum.models import build_models
from zerosum.models.srgan import SRResNet, Upsample2x, icnr_

SMALL = SRGANConfig(ngf=8, ndf=8, blocks=2)


@pytest.mark.parametrize(
    "factor, side, channels",
    [(f, s, c) for f in (2, 4, 8) for s, c in ((32, 3), (64, 1), (28, 1)) if s % f == 0],  # 28/8: refused by the pairs
)
def test_srresnet_upscales_by_every_factor(factor, side, channels):
    G, D = build_models(SMALL, (channels, side, side), input_shape=(channels, side // factor, side // factor))
    assert isinstance(G, SRResNet) and G.factor == factor
    y = G(torch.randn(2, channels, side // factor, side // factor))
    assert y.shape == (2, channels, side, side)
    assert D(y).shape == (2,)
    assert len(D.features(y)) == min(4, side.bit_length() - 2)


def test_icnr_makes_each_stage_a_nearest_neighbour_upsampling_at_init():
    torch.manual_seed(0)
    stage = Upsample2x(6)
    const = torch.full((1, 6, 5, 7), 0.37)
    out = stage(const)
    assert out.shape == (1, 6, 10, 14)
    assert torch.allclose(out, out[..., :1, :1].expand_as(out), atol=1e-6)  # constant in, constant out: no checkerboard
    x = torch.randn(2, 6, 5, 7)
    y = stage(x)
    assert torch.allclose(y, torch.repeat_interleave(torch.repeat_interleave(y[..., ::2, ::2], 2, -1), 2, -2))


def test_icnr_repeats_one_kernel_per_output_channel():
    w = icnr_(torch.empty(12, 5, 3, 3))
    assert torch.equal(w[0], w[3]) and not torch.equal(w[3], w[4])


def test_sizes_that_cannot_be_upscaled_are_refused():
    with pytest.raises(ConfigError, match="power of two"):
        SRResNet(SMALL, (1, 8, 8), (1, 24, 24))
    with pytest.raises(ConfigError, match="at least 4×4"):
        build_models(SMALL, (1, 2, 2), input_shape=(1, 1, 1))


def test_the_bicubic_skip_starts_as_bicubic_interpolation():
    G = SRResNet(SMALL.model_copy(update={"bicubic_skip": True}), (1, 8, 8), (1, 32, 32))
    x = torch.rand(2, 1, 8, 8) * 2 - 1
    up = torch.nn.functional.interpolate(x, scale_factor=4, mode="bicubic", align_corners=False)
    assert torch.allclose(G(x), up, atol=1e-6)
    G(x).sum().backward()
    assert G.tail[0].weight.grad.abs().sum() > 0  # the residual branch learns from the first step
