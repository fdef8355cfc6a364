"""One training iteration. `train.update` picks the order of the players' updates:

- `alternating` is Algorithm 1 of the GAN paper (Goodfellow et al. 2014): k discriminator updates, each on a fresh
  minibatch, then one generator update against the D just updated. During the G-step D's weights are frozen
  (`requires_grad_(False)`): gradients flow through D into G, but D itself is not changed by G's objective. That is
  what the released code's `D_on_G` composition does, so no separate mode is needed for it.
- `simultaneous` (`training.simultaneous`) is what the released code runs: one forward of G and D on one minibatch,
  and both players updated from it.
"""

from __future__ import annotations

import torch

from zerosum.config import TrainConfig
from zerosum.losses import GanLoss, auxiliary_classifier
from zerosum.training import schedules
from zerosum.training.fastpaths import autocast
from zerosum.training.simultaneous import simultaneous_step
from zerosum.training.state import TrainState
from zerosum.training.step_parts import (
    backward_step,
    draw,
    finish,
    instance_noise,
    memory_format,
    noise,
    r1_term,
    wants_r1,
)


def train_step(
    state: TrainState,
    data,
    loss: GanLoss,
    cfg: TrainConfig,
    device: torch.device,
    value_range,
    num_classes: int,
    aux_weight: float = 0.0,
) -> dict[str, float]:
    """One iteration in the order `cfg.update` names; returns the numbers to log. `aux_weight` > 0 adds ACGAN's
    auxiliary-classifier terms (alternating order only; the config refuses the other)."""
    if cfg.update == "simultaneous":
        return simultaneous_step(state, data, loss, cfg, device, value_range, num_classes)
    return alternating_step(state, data, loss, cfg, device, value_range, num_classes, aux_weight)


def alternating_step(
    state: TrainState,
    data,
    loss: GanLoss,
    cfg: TrainConfig,
    device: torch.device,
    value_range,
    num_classes: int,
    aux_weight: float = 0.0,
) -> dict[str, float]:
    """Update D `cfg.d_steps` times and G once."""
    D, run = state.D, state.replicas
    lr_d = schedules.apply(state.opt_d, cfg.lr_d, state.step, cfg, state.lr_scale)
    lr_g = schedules.apply(state.opt_g, cfg.lr_g, state.step, cfg, state.lr_scale)
    fmt = memory_format(cfg, data)

    D.requires_grad_(True)
    for i in range(cfg.d_steps):
        real, y_real, z, y_fake = draw(state, data, cfg.batch_size, device, value_range, num_classes)
        real = real.contiguous(memory_format=fmt)
        share = cfg.reuse_fake and i == cfg.d_steps - 1  # G's forward pass serves the D-step and the G-step
        r1 = i == 0 and wants_r1(cfg, state.step)
        real.requires_grad_(r1)
        with autocast(device, cfg.amp):
            with torch.set_grad_enabled(share):
                fake = run.G(z, y_fake).contiguous(memory_format=fmt)
            seen_real, seen_fake = instance_noise(state, cfg, real), instance_noise(state, cfg, fake.detach())
            if aux_weight:
                (real_logits, real_cls), (fake_logits, fake_cls) = run.D_pair(
                    seen_real, y_real, seen_fake, y_fake, classes=True
                )
                aux_d = auxiliary_classifier(real_cls, y_real) + auxiliary_classifier(fake_cls, y_fake)
            else:
                real_logits, fake_logits = run.D_pair(seen_real, y_real, seen_fake, y_fake)
            real_logits, fake_logits = real_logits.float(), fake_logits.float()
            loss_d = loss.d(real_logits, fake_logits)
        objective = cfg.d_loss_scale * loss_d
        if aux_weight:
            objective = objective + aux_weight * aux_d
        if r1:
            objective = objective + r1_term(state, cfg, real_logits, real)
        state.opt_d.zero_grad(set_to_none=True)
        backward_step(state.scaler_d, state.opt_d, objective)

    if not cfg.reuse_fake:
        z, y_fake = noise(state, cfg.batch_size, device, num_classes)
    D.requires_grad_(False)  # the G-step needs gradients through D, not of D: the bare D, no gradient sync
    with autocast(device, cfg.amp):
        if not cfg.reuse_fake:
            fake = run.G(z, y_fake).contiguous(memory_format=fmt)
        seen_gen = instance_noise(state, cfg, fake)
        if aux_weight:
            gen_logits, gen_cls = D.forward_with_classes(seen_gen, y_fake)
            loss_g = loss.g(gen_logits.float()) + aux_weight * auxiliary_classifier(gen_cls, y_fake)
        else:
            loss_g = loss.g(D(seen_gen, y_fake).float())
    state.opt_g.zero_grad(set_to_none=True)
    backward_step(state.scaler_g, state.opt_g, loss_g)
    D.requires_grad_(True)
    return finish(state, loss_d, loss_g, real_logits, fake_logits, cfg.ema, (lr_d, lr_g))
