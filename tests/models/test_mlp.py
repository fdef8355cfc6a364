"""The GAN paper's MLP generator and maxout discriminator, for images and for point data."""

import pytest
import torch
from torch import nn

from zerosum.config import MLPConfig
from zerosum.errors import ConfigError
from zerosum.losses import get_loss
from zerosum.models import MaxoutDiscriminator, MLPGenerator, build_models
from zerosum.models.mlp import Maxout


def _cfg(**kw) -> MLPConfig:
    return MLPConfig(**kw)


def test_paper_mnist_model_shapes():
    g, d = build_models(_cfg(), (1, 28, 28))
    assert isinstance(g, MLPGenerator) and isinstance(d, MaxoutDiscriminator)
    assert [b[0].out_features for b in g.blocks] == [1200, 1200, 784] and g.blocks[0][0].in_features == 100
    assert all(isinstance(b[1], nn.ReLU) for b in g.blocks[:-1]) and isinstance(g.blocks[-1][1], nn.Sigmoid)
    assert g.output_range == (0.0, 1.0)
    z = g.sample_z(5)
    x = g(z)
    assert x.shape == (5, 1, 28, 28) and x.min() >= 0 and x.max() <= 1
    assert d(x).shape == (5,)
    assert [f.shape for f in d.features(x)] == [(5, 240), (5, 240)]
    maxouts = [m for m in d.modules() if isinstance(m, Maxout)]
    assert [(m.linear.in_features, m.linear.out_features) for m in maxouts] == [(784, 1200), (240, 1200)]
    assert d.head[1].out_features == 1


def test_dropout_rates_and_placement():
    _, d = build_models(_cfg(d_drop_input=0.2, d_drop_hidden=0.5), (1, 28, 28))
    assert d.drop_in.p == 0.2
    assert isinstance(d.blocks[1][0], nn.Dropout) and d.blocks[1][0].p == 0.5
    assert isinstance(d.head[0], nn.Dropout) and d.head[0].p == 0.5
    x = torch.rand(8, 1, 28, 28)
    d.train()
    assert not torch.equal(d(x), d(x))  # dropout active
    d.eval()
    assert torch.equal(d(x), d(x))


def test_maxout_takes_the_max_over_pieces():
    m = Maxout(6, units=4, pieces=3, irange=0.5)
    x = torch.randn(7, 6)
    pre = m.linear(x).view(7, 4, 3)
    torch.testing.assert_close(m(x), pre.max(dim=2).values)
    assert m(x).shape == (7, 4)


def test_uniform_init_ranges():
    torch.manual_seed(0)
    cfg = _cfg()
    assert (cfg.g_init_range, cfg.d_init_range) == (0.05, 0.005)  # the paper's pylearn2 ranges by default
    g, d = build_models(cfg, (1, 28, 28))
    for net, r in ((g, cfg.g_init_range), (d, cfg.d_init_range)):
        for m in net.modules():
            if isinstance(m, nn.Linear):
                assert m.weight.abs().max() <= r and m.weight.abs().max() > 0.9 * r
                assert m.weight.std().item() == pytest.approx(r / 3**0.5, rel=0.05)
    assert torch.all(g.blocks[-1][0].bias == 0)  # no pixel_mean: zero bias


@pytest.mark.parametrize("mean_kind", ["pixel", "channel", "scalar"])
def test_output_bias_from_pixel_mean(mean_kind):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    per_pixel = torch.rand(1, 28, 28, generator=gen) ** 3  # dark-heavy, like MNIST
    per_pixel[0, :2] = 0.0  # all-black border: must clamp, not -inf
    per_pixel[0, -1] = 1.0
    pixel_mean = {"pixel": per_pixel, "channel": per_pixel.mean().reshape(1), "scalar": torch.tensor(0.13)}[mean_kind]
    g, _ = build_models(_cfg(), (1, 28, 28), pixel_mean=pixel_mean)
    target = pixel_mean.expand(1, 28, 28).flatten().double().clamp(1e-3, 1 - 1e-3)
    bias = g.blocks[-1][0].bias.double()
    torch.testing.assert_close(bias, torch.log(target / (1 - target)), rtol=1e-5, atol=1e-5)
    assert torch.isfinite(bias).all()
    with torch.no_grad():
        mean_sample = g(g.sample_z(512, gen)).mean(0).flatten()
    # small weights: G's first samples already have the data's per-pixel brightness (a fixed offset of
    # w·E[h] per pixel remains, as the ReLU features have a positive mean)
    err = (mean_sample.double() - target).abs()
    assert err.mean() < 0.02 and err.max() < 0.1


def test_pixel_mean_per_channel_and_tanh_output():
    torch.manual_seed(0)
    g, _ = build_models(_cfg(g_output="tanh"), (3, 8, 8), pixel_mean=torch.tensor([0.2, 0.5, 0.8]))
    assert g.output_range == (-1.0, 1.0)
    out_at_zero = torch.tanh(g.blocks[-1][0].bias).view(3, 8, 8)
    for c, m in enumerate([0.2, 0.5, 0.8]):
        torch.testing.assert_close(out_at_zero[c], torch.full((8, 8), 2 * m - 1), rtol=0, atol=1e-5)


def test_pixel_mean_of_wrong_size():
    with pytest.raises(ConfigError, match="pixel_mean has 5 values"):
        build_models(_cfg(), (1, 28, 28), pixel_mean=torch.rand(5))


@pytest.mark.parametrize("dim", [1, 2])
def test_point_data_linear_output(dim):
    g, d = build_models(_cfg(g_hidden=[32], d_hidden=[16, 8], maxout_pieces=2), (dim,), pixel_mean=torch.rand(dim))
    assert g.output_range is None and g.out_shape == (dim,)
    assert torch.all(g.blocks[-1][0].bias == 0)  # linear output: pixel_mean does not apply
    x = g(g.sample_z(6))
    assert x.shape == (6, dim) and d(x).shape == (6,)
    assert [f.shape for f in d.features(x)] == [(6, 16), (6, 8)]


def test_point_models_work_in_standardised_coordinates():
    mean, std = torch.tensor([4.0, -2.0]), torch.tensor([0.5, 3.0])
    g, d = build_models(_cfg(g_hidden=[8], d_hidden=[8], maxout_pieces=2, pack=2), (2,), point_stats=(mean, std))
    with torch.no_grad():
        g.blocks[-1][0].weight.zero_()  # G's pre-output is then 0 (its bias starts at 0): the data's mean
        assert torch.equal(g(g.sample_z(3)), mean.expand(3, 2))
    x = torch.randn(4, 2) * std + mean
    d.eval()
    plain, _ = build_models(_cfg(g_hidden=[8], d_hidden=[8], maxout_pieces=2, pack=2), (2,))
    plain.load_state_dict(g.state_dict())  # buffers travel with the weights, as in a checkpoint
    assert torch.equal(plain.scale.mean, mean) and torch.equal(plain.scale.std, std)
    d_plain = build_models(_cfg(g_hidden=[8], d_hidden=[8], maxout_pieces=2, pack=2), (2,))[1].eval()
    d_plain.load_state_dict(d.state_dict())
    standardised = (x - mean) / std
    d_plain.scale.mean.zero_()
    d_plain.scale.std.fill_(1.0)
    assert torch.allclose(d(x), d_plain(standardised), atol=1e-6)  # D sees (x − mean) / std, packed or not


def test_conditional_mlp():
    g, d = build_models(_cfg(conditional=True, embed_dim=7, g_hidden=[32], d_hidden=[16]), (1, 8, 8), num_classes=5)
    assert g.conditional and g.num_classes == 5 and g.blocks[0][0].in_features == g.nz + 7
    assert d.blocks[0].linear.in_features == 64 + 7
    z = g.sample_z(3)
    d.eval()
    x0, x1 = g(z, torch.zeros(3, dtype=torch.long)), g(z, torch.full((3,), 4))
    assert not torch.allclose(x0, x1)
    assert not torch.allclose(d(x0, torch.zeros(3, dtype=torch.long)), d(x0, torch.full((3,), 4)))
    with pytest.raises(ConfigError, match="conditional"):
        d(x0)


def test_tiny_gan_learns_a_1d_gaussian():
    """300 steps of Algorithm 1 (k=1) with the paper's objective pair move G's samples onto N(3, 0.5)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only add overhead
    try:
        _train_tiny_gan()
    finally:
        torch.set_num_threads(threads)


def _train_tiny_gan() -> None:
    torch.manual_seed(0)
    cfg = _cfg(nz=2, g_hidden=[16], d_hidden=[16], maxout_pieces=3, d_drop_input=0.0, d_drop_hidden=0.0)
    g, d = build_models(cfg, (1,))
    loss = get_loss("nonsaturating")
    opt_g = torch.optim.Adam(g.parameters(), 5e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), 5e-3, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        assert g(g.sample_z(1000, gen)).mean().abs() < 0.5  # starts far from the data
    for _ in range(300):
        real = 3 + 0.5 * torch.randn(64, 1, generator=gen)
        ld = loss.d(d(real), d(g(g.sample_z(64, gen)).detach()))
        opt_d.zero_grad()
        ld.backward()
        opt_d.step()
        lg = loss.g(d(g(g.sample_z(64, gen))))
        opt_g.zero_grad()
        lg.backward()
        opt_g.step()
    with torch.no_grad():
        s = g(g.sample_z(2000, gen))
    assert abs(s.mean().item() - 3) < 0.5 and 0.1 < s.std().item() < 1.5


def test_pacgan_generator_has_bias_free_linear_then_batchnorm_and_normal_weights():
    torch.manual_seed(0)
    cfg = _cfg(nz=2, g_hidden=[400, 400], d_hidden=[200, 200, 200], g_batch_norm=True, mlp_init="normal")
    g, d = build_models(cfg, (2,))
    for block in g.blocks[:-1]:
        linear, norm, act = block
        assert linear.bias is None and isinstance(norm, nn.BatchNorm1d) and isinstance(act, nn.ReLU)
    linears = [m for m in (*g.modules(), *d.modules()) if isinstance(m, nn.Linear)]
    big = [m for m in linears if m.weight.numel() > 10_000]
    assert big and all(m.weight.std().item() == pytest.approx(0.02, rel=0.05) for m in big)
    assert all(m.bias is None or torch.all(m.bias == 0) for m in linears)
    assert not any(isinstance(m, nn.BatchNorm1d) for m in d.modules())
    assert g(g.sample_z(6)).shape == (6, 2)


def test_uniform_unit_noise_has_unit_variance_in_the_box_of_half_width_sqrt3():
    g, _ = build_models(_cfg(z_dist="uniform_unit", nz=50), (2,))
    z = g.sample_z(4000, generator=torch.Generator().manual_seed(0))
    assert z.abs().max() <= 3**0.5 and z.abs().max() > 0.99 * 3**0.5
    assert z.var().item() == pytest.approx(1.0, rel=0.03)
