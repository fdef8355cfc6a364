"""Discriminator rejection sampling (Azadi et al. 2019): G's samples thinned by how much D believes them.

For the optimal D, D's logit is log p_data(x) − log p_g(x). Keeping a sample with probability exp(logit − M), M the
largest logit, then turns p_g into p_data exactly, whatever G missed. With a trained, imperfect D it does most good
where G is plainly wrong: the bridges a continuous G must lay between separate modes, which no real data supports
and which D scores low. Here M is the logit at `sample.drs_quantile` of a burn-in batch (1 = its maximum, the most
faithful and the most wasteful); samples above it are always kept.

A packed D (PacGAN, `model.pack` = m) scores groups of m samples; for the optimal packed D the group's logit is the
sum of its members' logits. Each candidate is therefore scored beside m − 1 fixed companions (G's samples from a
fixed seed): their share is the same constant for every candidate and cancels against M. The score is averaged
over a few companion sets, so no single set's quirks decide.

D at the end of training is not the optimal D of the G being sampled: it trailed G, and an R1 penalty or an
annealed lr leaves it flat. `sample.drs_calibrate_steps` trains a copy of it further against the frozen sampling G
on the run's own data (from a fixed seed, so sampling stays reproducible), as Azadi et al. do, which sharpens the
logit where G is wrong.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import Tensor, nn

from zerosum.config import SampleConfig
from zerosum.errors import ConfigError
from zerosum.losses import d_loss

COMPANION_SETS = 4
COMPANION_SEED = 4321
CALIBRATION_SEED = 2468
CALIBRATION_BATCH = 256  # groups of model.pack samples per side and step
BATCH = 2_000
MIN_ACCEPTANCE = 1e-3  # below this the run's D rejects nearly everything: stop with a clear message instead


def calibrated_discriminator(G: nn.Module, D: nn.Module, data, cfg: SampleConfig, device: torch.device) -> nn.Module:
    """A copy of D trained `cfg.drs_calibrate_steps` Adam steps on `data` against the frozen G; D itself when 0.

    Every draw (data indices, noise, D's dropout) comes from fixed seeds, so the copy is the same at every call.
    """
    if cfg.drs_calibrate_steps == 0:
        return D
    with torch.inference_mode(False), torch.enable_grad(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(CALIBRATION_SEED)  # dropout masks, if D has dropout
        gen = torch.Generator().manual_seed(CALIBRATION_SEED)
        critic = copy.deepcopy(D).train().requires_grad_(True)
        opt = torch.optim.Adam(critic.parameters(), lr=cfg.drs_calibrate_lr, betas=(0.5, 0.999))
        n = CALIBRATION_BATCH * int(getattr(D, "pack", 1))
        for _ in range(cfg.drs_calibrate_steps):
            real = data.batch(torch.randint(len(data), (n,), generator=gen), value_range=G.output_range,
                              device=device)  # fmt: skip
            with torch.no_grad():
                fake = G(G.sample_z(n, generator=gen).to(device)).float()
            loss = d_loss(critic(real), critic(fake))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return critic.eval().requires_grad_(False)


class _Scorer:
    """D's logit for single samples, through fixed companions when D is packed; D in eval mode for the call."""

    def __init__(self, G: nn.Module, D: nn.Module, device: torch.device) -> None:
        self.D, self.pack = D, int(getattr(D, "pack", 1))
        self.companions = None
        if self.pack > 1:
            gen = torch.Generator().manual_seed(COMPANION_SEED)
            z = G.sample_z(COMPANION_SETS * (self.pack - 1), generator=gen).to(device)
            self.companions = G(z).float().view(COMPANION_SETS, self.pack - 1, *G.out_shape)

    def __call__(self, x: Tensor) -> Tensor:
        if self.companions is None:
            return self.D(x).float()
        n, scores = x.shape[0], []
        for c in self.companions:  # each row i of the packed input: x_i, then the pack − 1 companions
            group = torch.cat([x.unsqueeze(1), c.unsqueeze(0).expand(n, *c.shape).to(x.dtype)], dim=1)
            scores.append(self.D(group.reshape(n * self.pack, *x.shape[1:])).float())
        return torch.stack(scores).mean(0)


def rejection_sample(
    G: nn.Module,
    D: nn.Module,
    n: int,
    generator: torch.Generator,
    cfg: SampleConfig,
    device: torch.device,
    forward: Callable[[Tensor], Tensor],
) -> tuple[Tensor, Tensor]:
    """n accepted samples and their z, drawn with `generator` (burn-in, candidates and coin flips alike).

    `forward(z)` is G's batched output on the CPU as float (sampling's own loop, so batching stays in one place).
    """
    modes = [(m, m.training) for m in D.modules()]
    D.eval()
    try:
        score = _Scorer(G, D, device)

        def logits(x: Tensor) -> Tensor:
            return torch.cat([score(x[i : i + BATCH].to(device)).cpu() for i in range(0, len(x), BATCH)])

        burn = logits(forward(G.sample_z(cfg.drs_burn_in, generator=generator)))
        threshold = float(torch.quantile(burn.double(), cfg.drs_quantile))
        kept_x, kept_z, have, tried = [], [], 0, 0
        while have < n:
            z = G.sample_z(max(BATCH, n - have), generator=generator)
            x = forward(z)
            keep = torch.rand(len(z), generator=generator) < torch.exp((logits(x) - threshold).clamp(max=0.0))
            kept_x.append(x[keep])
            kept_z.append(z[keep])
            have, tried = have + int(keep.sum()), tried + len(z)
            if tried >= 10 * BATCH and have < MIN_ACCEPTANCE * tried:
                raise ConfigError(
                    f"discriminator rejection kept {have} of {tried:,} samples; this run's D rejects nearly "
                    "everything: lower sample.drs_quantile or set sample.rejection=off"
                )
    finally:
        for m, training in modes:
            m.training = training
    return torch.cat(kept_x)[:n], torch.cat(kept_z)[:n]


def rejection_discriminator(run) -> nn.Module:
    """The D that rejection sampling scores with: the run's, calibrated once per loaded run when asked."""
    cfg = run.config.sample
    if cfg.drs_calibrate_steps == 0:
        return run.D
    if "rejection_D" not in run.derived:
        from zerosum.data import load_dataset

        data = load_dataset(run.config.data)
        run.derived["rejection_D"] = calibrated_discriminator(run.generator, run.D, data, cfg, run.device)
    return run.derived["rejection_D"]
