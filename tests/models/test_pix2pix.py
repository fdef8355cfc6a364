import pytest
import torch

from zerosum.config import Pix2PixConfig
from zerosum.errors import ConfigError
from zerosum.models import build_models
from zerosum.models.pix2pix import PatchDiscriminator, UNetGenerator, patch_grid, receptive_field

SMALL = Pix2PixConfig(ngf=8, ndf=8)


@pytest.mark.parametrize("side", [28, 32, 64])
@pytest.mark.parametrize("c_in, c_out", [(3, 4), (1, 2), (4, 3)])
def test_unet_keeps_the_size_and_maps_channels(side, c_in, c_out):
    G = UNetGenerator(SMALL, (c_in, side, side), (c_out, side, side))
    y = G(torch.randn(2, c_in, side, side))
    assert y.shape == (2, c_out, side, side) and y.abs().max() <= 1


def test_unet_skips_reach_the_output_from_every_pixel():
    G = UNetGenerator(SMALL, (1, 32, 32), (1, 32, 32)).eval()
    x = torch.randn(1, 1, 32, 32, requires_grad=True)
    G(x)[0, 0, 5, 7].backward()
    assert x.grad[0, 0, 5, 7] != 0  # the outermost skip carries the pixel itself
    assert (x.grad != 0).float().mean() > 0.9  # the 1×1 bottleneck sees the whole image


def test_dropout_is_the_noise_and_can_stay_on_at_test_time():
    x = torch.randn(3, 3, 32, 32)
    for always, differs in ((False, False), (True, True)):
        G = UNetGenerator(SMALL.model_copy(update={"test_dropout": always}), (3, 32, 32), (4, 32, 32)).eval()
        assert (not torch.equal(G(x), G(x))) == differs


@pytest.mark.parametrize("layers, field", [(1, 16), (2, 34), (3, 70), (4, 142)])
def test_patchgan_receptive_field_matches_the_paper_and_the_gradient(layers, field):
    assert receptive_field(layers) == field
    side = 160
    D = PatchDiscriminator(SMALL.model_copy(update={"patch_layers": layers}), (1, side, side), (1, side, side))
    D.eval()  # BatchNorm as a per-channel affine map: each logit depends on its patch alone
    x = torch.randn(1, 1, side, side, requires_grad=True)
    logits = D(x, torch.zeros(1, 1, side, side))
    assert logits.shape == (1, 1, patch_grid(side, layers), patch_grid(side, layers))
    mid = logits.shape[-1] // 2
    logits[0, 0, mid, mid].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    assert rows.max() - rows.min() + 1 <= field  # the padding's zeros may leave the outermost pixels unseen
    assert rows.max() - rows.min() + 1 >= field - 2


def test_conditional_d_sees_the_input_and_the_unconditional_one_does_not():
    G, D = build_models(SMALL, (4, 32, 32), input_shape=(3, 32, 32))
    out, cond = torch.randn(2, 4, 32, 32), torch.randn(2, 3, 32, 32)
    assert not torch.equal(D(out, cond), D(out, cond + 1))
    plain = PatchDiscriminator(SMALL.model_copy(update={"condition_d": False}), (4, 32, 32), (3, 32, 32))
    assert torch.equal(plain(out, cond), plain(out, cond + 1))
    with pytest.raises(ConfigError, match="pass G's input"):
        D(out)


@pytest.mark.parametrize(
    "update, shape, words",
    [
        ({"patch_layers": 5}, (4, 32, 32), "leaves no patch"),
        ({"unet_depth": 7}, (4, 32, 32), "below 1 pixel"),
    ],
)
def test_impossible_layouts_are_one_line_errors(update, shape, words):
    with pytest.raises(ConfigError, match=words) as err:
        build_models(SMALL.model_copy(update=update), shape, input_shape=(3, 32, 32))
    assert "\n" not in str(err.value)


def test_a_wrong_input_is_named():
    G = UNetGenerator(SMALL, (3, 32, 32), (4, 32, 32))
    with pytest.raises(ConfigError, match="expects inputs of 32×32 RGB"):
        G(torch.randn(1, 1, 32, 32))
