"""The shared G/D contract: noise and label sampling, label and shape checks."""

import pytest
import torch

from zerosum.config import DCGANConfig, MLPConfig
from zerosum.errors import ConfigError
from zerosum.models import build_models
from zerosum.models.common import check_labels, is_power_of_two, logit

ARCHS = [
    (DCGANConfig(nz=6, ngf=4, ndf=4, embed_dim=3), (1, 16, 16)),
    (MLPConfig(nz=6, g_hidden=[8], d_hidden=[8], embed_dim=3), (1, 4, 4)),
]


@pytest.mark.parametrize(("cfg", "shape"), ARCHS)
@pytest.mark.parametrize("z_dist", ["normal", "uniform"])
def test_sample_z_is_reproducible_with_a_seeded_generator(cfg, shape, z_dist):
    g, _ = build_models(cfg.model_copy(update={"z_dist": z_dist}), shape)
    a = g.sample_z(1000, torch.Generator().manual_seed(7))
    b = g.sample_z(1000, torch.Generator().manual_seed(7))
    c = g.sample_z(1000, torch.Generator().manual_seed(8))
    assert a.shape == (1000, 6) and torch.equal(a, b) and not torch.equal(a, c)
    # the stream continues: a sequence of draws is reproduced from the same seed (what resume relies on)
    gen1, gen2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    first, second = g.sample_z(5, gen1), g.sample_z(5, gen1)
    assert not torch.equal(first, second)
    assert torch.equal(g.sample_z(5, gen2), first) and torch.equal(g.sample_z(5, gen2), second)
    # draws do not touch the global RNG
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    g.sample_z(10, torch.Generator().manual_seed(1))
    assert torch.equal(torch.rand(1), before)


def test_z_distributions():
    cfg, shape = ARCHS[0]
    g, _ = build_models(cfg.model_copy(update={"z_dist": "uniform", "nz": 50}), shape)
    u = g.sample_z(4000, torch.Generator().manual_seed(0))
    assert u.min() >= -1 and u.max() < 1 and u.min() < -0.999 and u.max() > 0.999
    assert u.mean().abs() < 0.01 and u.var().item() == pytest.approx(1 / 3, rel=0.02)
    g, _ = build_models(cfg.model_copy(update={"z_dist": "normal", "nz": 50}), shape)
    n = g.sample_z(4000, torch.Generator().manual_seed(0))
    assert n.mean().abs() < 0.01 and n.std().item() == pytest.approx(1.0, rel=0.02) and n.abs().max() > 3


def test_sample_z_device_and_sample_y():
    cfg, shape = ARCHS[0]
    g, _ = build_models(cfg.model_copy(update={"conditional": True}), shape, num_classes=4)
    assert g.sample_z(3, device="cpu").device.type == "cpu"
    y = g.sample_y(4000, torch.Generator().manual_seed(0))
    assert y.dtype == torch.long and set(y.tolist()) == {0, 1, 2, 3}
    assert torch.equal(y, g.sample_y(4000, torch.Generator().manual_seed(0)))
    g_unc, _ = build_models(cfg, shape)
    assert g_unc.sample_y(4) is None and g_unc.num_classes == 0


@pytest.mark.parametrize(("cfg", "shape"), ARCHS)
def test_conditional_models_demand_valid_labels(cfg, shape):
    g, d = build_models(cfg.model_copy(update={"conditional": True}), shape, num_classes=3)
    z = g.sample_z(2)
    with pytest.raises(ConfigError, match=r"conditional: pass class labels y \(integers in \[0, 3\)\)"):
        g(z)
    with pytest.raises(ConfigError, match="conditional"):
        d(torch.zeros(2, *shape))
    with pytest.raises(ConfigError, match=r"must lie in \[0, 3\)"):
        g(z, torch.tensor([0, 3]))
    with pytest.raises(ConfigError, match=r"must lie in \[0, 3\)"):
        d(torch.zeros(2, *shape), torch.tensor([-1, 0]))
    with pytest.raises(ConfigError, match="integer labels"):
        g(z, torch.tensor([0.0, 1.0]))
    with pytest.raises(ConfigError, match="integer labels"):
        g(z, torch.tensor([0, 1, 2]))
    x = g(z, torch.tensor([0, 2], dtype=torch.int32))  # any integer dtype is accepted
    assert d(x, torch.tensor([0, 2])).shape == (2,)


@pytest.mark.parametrize(("cfg", "shape"), ARCHS)
def test_unconditional_models_ignore_labels_and_check_shapes(cfg, shape):
    g, d = build_models(cfg, shape)
    g.eval()
    z = g.sample_z(2)
    torch.testing.assert_close(g(z, torch.tensor([5, 9])), g(z))  # the trainer may always pass labels
    torch.testing.assert_close(g(z.view(2, 6, 1, 1)), g(z))  # DCGAN-style 4-D noise is accepted
    with pytest.raises(ConfigError, match=r"z must have shape \(N, 6\)"):
        g(torch.zeros(2, 7))
    with pytest.raises(ConfigError, match=r"discriminator expects inputs of \d+×\d+ gray, got 16×16 RGB"):
        d(torch.zeros(2, 3, 16, 16))


def test_helpers():
    assert [n for n in range(300) if is_power_of_two(n)] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    out = logit(torch.tensor([0.0, 0.5, 1.0]))
    assert torch.isfinite(out).all() and out[1] == 0
    torch.testing.assert_close(out, torch.tensor([-1.0, 0.0, 1.0]) * 6.906755)
    assert check_labels(torch.tensor([1, 0], dtype=torch.uint8), 2, 2, "x").dtype == torch.long
