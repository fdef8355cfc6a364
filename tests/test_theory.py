"""The GAN paper's Proposition 1: for a fixed G, the optimal D is p_data / (p_data + p_g)."""

import math

import torch

from zerosum.config import DataConfig, MLPConfig
from zerosum.data import load_dataset
from zerosum.losses import d_loss
from zerosum.models import build_models


def _normal_pdf(x: torch.Tensor, mu: float, sigma: float) -> torch.Tensor:
    return torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def test_trained_discriminator_approaches_the_optimum():
    torch.manual_seed(0)
    data = load_dataset(DataConfig(name="toy-1d", params={"n": 50_000, "mu": 0.0, "sigma": 1.0, "seed": 0}))
    mu_g, sigma_g = 1.0, 1.5  # a frozen G: x = mu_g + sigma_g * z, z ~ N(0, 1)
    _, D = build_models(MLPConfig(nz=1, d_hidden=[32, 32], maxout_pieces=3, d_drop_input=0.0, d_drop_hidden=0.0), (1,))
    steps = 600
    opt = torch.optim.Adam(D.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)  # settle on the optimum, don't jitter round it
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(len(data), (512,), generator=gen)
        real = data.batch(idx)
        fake = mu_g + sigma_g * torch.randn(512, 1, generator=gen)
        loss = d_loss(D(real), D(fake))
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
    x = torch.linspace(-2.0, 2.5, 46)
    mu, sigma = data.points.mean().item(), data.points.std().item()
    p_data, p_g = _normal_pdf(x, mu, sigma), _normal_pdf(x, mu_g, sigma_g)
    optimum = p_data / (p_data + p_g)
    with torch.no_grad():
        learned = torch.sigmoid(D.eval()(x[:, None]))
    assert (learned - optimum).abs().max() < 0.05
