"""Population BatchNorm statistics: measured for the weights at hand, on a copy, from a fixed seed."""

import copy

import torch

from zerosum.config import MLPConfig
from zerosum.models import build_models
from zerosum.models.batchnorm import with_population_statistics


def _g():
    torch.manual_seed(0)
    cfg = MLPConfig(nz=2, g_hidden=[16, 16], g_batch_norm=True, mlp_init="normal", mlp_init_std=0.5)
    return build_models(cfg, (2,))[0]


def test_population_statistics_are_the_mean_and_variance_of_the_layer_inputs():
    g = _g()
    before = {k: v.clone() for k, v in g.state_dict().items()}
    pop = with_population_statistics(g, samples=20_000)
    assert all(torch.equal(before[k], v) for k, v in g.state_dict().items())  # the original is untouched
    norm = pop.blocks[0][1]
    with torch.no_grad():
        h = pop.blocks[0][0](pop.sample_z(20_000, generator=torch.Generator().manual_seed(5)))
    torch.testing.assert_close(norm.running_mean, h.mean(0), atol=0.02, rtol=0.05)
    torch.testing.assert_close(norm.running_var, h.var(0), atol=0.02, rtol=0.05)
    assert not pop.training and not norm.training
    again = with_population_statistics(g, samples=20_000)
    assert torch.equal(again.blocks[1][1].running_var, pop.blocks[1][1].running_var)  # fixed seed


def test_an_ema_copy_needs_its_own_statistics():
    """An EMA copy carries the live G's running statistics; after averaging they no longer fit its weights."""
    g = _g()
    g.train()
    for _ in range(30):  # running averages of the live weights
        g(g.sample_z(256))
    ema = copy.deepcopy(g).eval()  # buffers copied from the live G, as training.ema does
    with torch.no_grad():
        for p in ema.parameters():
            p.mul_(0.5)  # the average has other weights than the live G
    z = ema.sample_z(5000, generator=torch.Generator().manual_seed(1))
    fixed = with_population_statistics(ema)
    with torch.no_grad():
        h_stale = ema.blocks[0](z)  # normalised by the live G's statistics
        h_fixed = fixed.blocks[0](z)
        pre_norm = fixed.blocks[0][1]
        normalised = (fixed.blocks[0][0](z) - pre_norm.running_mean) / (pre_norm.running_var + pre_norm.eps).sqrt()
    assert (h_stale - h_fixed).abs().mean() > 0.05  # the stale statistics give another output
    assert normalised.std(0).mean().item() > 0.9  # the measured ones normalise this G's inputs to unit spread
