"""One iteration of Algorithm 1 (Goodfellow et al. 2014): k discriminator updates, then one generator update."""

from __future__ import annotations

import contextlib

import torch

from zerosum.config import TrainConfig
from zerosum.losses import GanLoss, r1_penalty
from zerosum.training import schedules
from zerosum.training.ema import ema_decay, update_ema
from zerosum.training.state import TrainState


def _autocast(device: torch.device, amp: str):
    if amp == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _draw(state: TrainState, data, batch: int, device: torch.device, value_range, num_classes: int):
    """A fresh real minibatch, fresh noise and (for conditional models) fake labels."""
    idx = state.sampler.next(batch)
    real = data.batch(idx, value_range=value_range, device=device)
    y_real = data.labels[idx].to(device) if num_classes else None
    z = state.G.sample_z(batch, generator=state.noise).to(device)
    y_fake = torch.randint(num_classes, (batch,), generator=state.noise).to(device) if num_classes else None
    return real, y_real, z, y_fake


def train_step(
    state: TrainState, data, loss: GanLoss, cfg: TrainConfig, device: torch.device, value_range, num_classes: int
) -> dict[str, float]:
    """Update D `cfg.d_steps` times and G once; returns the numbers to log."""
    G, D = state.G, state.D
    lr_d = schedules.apply(state.opt_d, cfg.lr_d, state.step, cfg)
    lr_g = schedules.apply(state.opt_g, cfg.lr_g, state.step, cfg)
    fmt = torch.channels_last if cfg.channels_last and data.kind == "image" else torch.contiguous_format

    D.requires_grad_(True)
    for i in range(cfg.d_steps):
        real, y_real, z, y_fake = _draw(state, data, cfg.batch_size, device, value_range, num_classes)
        real = real.contiguous(memory_format=fmt)
        share = cfg.reuse_fake and i == cfg.d_steps - 1  # G's forward pass serves the D-step and the G-step
        r1 = cfg.r1_gamma > 0 and i == 0 and state.step % cfg.r1_every == 0
        real.requires_grad_(r1)
        with _autocast(device, cfg.amp):
            with torch.set_grad_enabled(share):
                fake = G(z, y_fake).contiguous(memory_format=fmt)
            real_logits = D(real, y_real).float()
            fake_logits = D(fake.detach(), y_fake).float()
            loss_d = loss.d(real_logits, fake_logits)
        if r1:  # lazy regularisation: every r1_every-th step, weighted by r1_every (Karras et al. 2020)
            loss_d = loss_d + cfg.r1_gamma / 2 * cfg.r1_every * r1_penalty(real_logits, real)
        state.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        state.opt_d.step()

    if not cfg.reuse_fake:
        z = G.sample_z(cfg.batch_size, generator=state.noise).to(device)
        if num_classes:
            y_fake = torch.randint(num_classes, (cfg.batch_size,), generator=state.noise).to(device)
    D.requires_grad_(False)
    with _autocast(device, cfg.amp):
        if not cfg.reuse_fake:
            fake = G(z, y_fake).contiguous(memory_format=fmt)
        gen_logits = D(fake, y_fake).float()
        loss_g = loss.g(gen_logits)
    state.opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    state.opt_g.step()
    D.requires_grad_(True)

    if state.G_ema is not None:
        update_ema(state.G_ema, G, ema_decay(cfg.ema, state.step))
    state.step += 1

    with torch.no_grad():
        numbers = torch.stack(
            [
                loss_d.detach(),
                loss_g.detach(),
                torch.sigmoid(real_logits.detach()).mean(),
                torch.sigmoid(fake_logits.detach()).mean(),
            ]
        ).tolist()
    return {
        "loss_d": numbers[0],
        "loss_g": numbers[1],
        "d_real": numbers[2],
        "d_fake": numbers[3],
        "lr_d": lr_d,
        "lr_g": lr_g,
    }
