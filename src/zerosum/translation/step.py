"""One training iteration of a translator: a minibatch of pairs, one D-step, one G-step (pix2pix, SRGAN).

D learns to tell (input, target) from (input, G(input)); G then minimises its objective (`objective.Objective`)
against the D just updated, with D frozen as in Algorithm 1. Before `pixel_steps`, and always when the adversarial
weight is 0 (SRResNet, a U-Net on its pixel loss alone), D does not train and G follows the pixel loss alone. The
pairs are drawn by the same seeded sampler as every other run, the upscale input's noise and the instance noise
from the state's noise generator and dropout from the global torch RNG, all of them in the checkpoint: resume is
exact.
"""

from __future__ import annotations

import torch

from zerosum.config import TrainConfig
from zerosum.training import schedules
from zerosum.training.fastpaths import autocast
from zerosum.training.state import TrainState
from zerosum.training.step_parts import backward_step, finish, instance_noise, memory_format
from zerosum.translation.objective import Objective, feature_distance


def draw_pairs(state: TrainState, data, batch: int, device: torch.device, value_range):
    """This rank's shard of a fresh minibatch of (inputs, targets)."""
    idx = state.world.shard(state.sampler.next(batch))
    return data.batch(idx, value_range=value_range, device=device, generator=state.noise, augment=True)


def translation_step(
    state: TrainState, data, objective: Objective, cfg: TrainConfig, device: torch.device, value_range
) -> dict[str, float]:
    """Update D (when adversarial at this step) and G once from one minibatch of pairs."""
    D, run = state.D, state.replicas
    lr_d = schedules.apply(state.opt_d, cfg.lr_d, state.step, cfg, state.lr_scale)
    lr_g = schedules.apply(state.opt_g, cfg.lr_g, state.step, cfg, state.lr_scale)
    fmt = memory_format(cfg, data)
    inputs, targets = draw_pairs(state, data, cfg.batch_size, device, value_range)
    inputs, targets = inputs.contiguous(memory_format=fmt), targets.contiguous(memory_format=fmt)
    adversarial = objective.adversarial(state.step)
    nothing = torch.zeros((), device=device)
    real_logits = fake_logits = loss_d = nothing
    with autocast(device, cfg.amp):
        fake = run.G(inputs, None)
    if adversarial:
        D.requires_grad_(True)
        with autocast(device, cfg.amp):
            seen_real, seen_fake = instance_noise(state, cfg, targets), instance_noise(state, cfg, fake.detach())
            real_logits, fake_logits = run.D_pair(seen_real, inputs, seen_fake, inputs)
            real_logits, fake_logits = real_logits.float(), fake_logits.float()
            loss_d = objective.gan.d(real_logits, fake_logits)
        state.opt_d.zero_grad(set_to_none=True)
        backward_step(state.scaler_d, state.opt_d, cfg.d_loss_scale * loss_d)
    D.requires_grad_(False)  # G's step takes gradients through D, not of it
    with autocast(device, cfg.amp):
        pixel = objective.pixel(fake.float(), targets)
        loss_g = objective.pixel_weight * pixel
        if adversarial:
            judged = D(instance_noise(state, cfg, fake), inputs).float()
            loss_g = loss_g + objective.adv_weight * objective.gan.g(judged)
        if objective.featured(state.step):
            with torch.no_grad():
                target_feats = objective.features(targets, D)
            feats = feature_distance(objective.features(fake, D), target_feats)
            loss_g = loss_g + objective.feature_weight * feats.float()
    state.opt_g.zero_grad(set_to_none=True)
    backward_step(state.scaler_g, state.opt_g, loss_g)
    D.requires_grad_(True)
    stats = finish(state, loss_d, loss_g, real_logits, fake_logits, cfg.ema, (lr_d, lr_g))
    stats["loss_pixel"] = float(pixel.detach())
    if not adversarial:  # nothing about D to report: keep D's columns out of the log and the divergence watch
        for key in ("loss_d", "d_real", "d_fake"):
            stats.pop(key)
    return stats
