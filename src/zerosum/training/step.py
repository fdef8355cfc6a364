"""One iteration of Algorithm 1 (Goodfellow et al. 2014): k discriminator updates, then one generator update."""

from __future__ import annotations

import torch

from zerosum.config import TrainConfig
from zerosum.losses import GanLoss, r1_penalty
from zerosum.training import schedules
from zerosum.training.ema import ema_decay, update_ema
from zerosum.training.fastpaths import autocast
from zerosum.training.state import TrainState


def _noise(state: TrainState, batch: int, device: torch.device, num_classes: int):
    """This rank's shard of a global batch of noise (and fake labels): every rank draws the whole batch from the
    shared generator, so the stream is the same whatever the number of processes."""
    z = state.G.sample_z(batch, generator=state.noise)
    y = torch.randint(num_classes, (batch,), generator=state.noise) if num_classes else None
    z, y = state.world.shard(z), state.world.shard(y)
    return z.to(device), (y.to(device) if y is not None else None)


def _draw(state: TrainState, data, batch: int, device: torch.device, value_range, num_classes: int):
    """A fresh real minibatch, fresh noise and (for conditional models) fake labels: this rank's shard of each."""
    idx = state.world.shard(state.sampler.next(batch))
    real = data.batch(idx, value_range=value_range, device=device)
    y_real = data.labels[idx.to(data.labels.device)].to(device) if num_classes else None
    z, y_fake = _noise(state, batch, device, num_classes)
    return real, y_real, z, y_fake


def train_step(
    state: TrainState, data, loss: GanLoss, cfg: TrainConfig, device: torch.device, value_range, num_classes: int
) -> dict[str, float]:
    """Update D `cfg.d_steps` times and G once; returns the numbers to log."""
    G, D, run = state.G, state.D, state.replicas
    lr_d = schedules.apply(state.opt_d, cfg.lr_d, state.step, cfg, state.lr_scale)
    lr_g = schedules.apply(state.opt_g, cfg.lr_g, state.step, cfg, state.lr_scale)
    fmt = torch.channels_last if cfg.channels_last and data.kind == "image" else torch.contiguous_format

    D.requires_grad_(True)
    for i in range(cfg.d_steps):
        real, y_real, z, y_fake = _draw(state, data, cfg.batch_size, device, value_range, num_classes)
        real = real.contiguous(memory_format=fmt)
        share = cfg.reuse_fake and i == cfg.d_steps - 1  # G's forward pass serves the D-step and the G-step
        r1 = cfg.r1_gamma > 0 and i == 0 and state.step % cfg.r1_every == 0
        real.requires_grad_(r1)
        with autocast(device, cfg.amp):
            with torch.set_grad_enabled(share):
                fake = run.G(z, y_fake).contiguous(memory_format=fmt)
            real_logits, fake_logits = run.D_pair(real, y_real, fake.detach(), y_fake)
            real_logits, fake_logits = real_logits.float(), fake_logits.float()
            loss_d = loss.d(real_logits, fake_logits)
        if r1:  # lazy regularisation: every r1_every-th step, weighted by r1_every (Karras et al. 2020)
            # r1_penalty averages ‖∇‖² per sample; D's input is a group of `pack`, whose ‖∇‖² is the members' sum
            pack = getattr(D, "pack", 1)
            loss_d = loss_d + cfg.r1_gamma / 2 * cfg.r1_every * pack * r1_penalty(real_logits, real)
        state.opt_d.zero_grad(set_to_none=True)
        _update(state.scaler_d, state.opt_d, loss_d)

    if not cfg.reuse_fake:
        z, y_fake = _noise(state, cfg.batch_size, device, num_classes)
    D.requires_grad_(False)  # the G-step needs gradients through D, not of D: the bare D, no gradient sync
    with autocast(device, cfg.amp):
        if not cfg.reuse_fake:
            fake = run.G(z, y_fake).contiguous(memory_format=fmt)
        gen_logits = D(fake, y_fake).float()
        loss_g = loss.g(gen_logits)
    state.opt_g.zero_grad(set_to_none=True)
    _update(state.scaler_g, state.opt_g, loss_g)
    D.requires_grad_(True)

    if state.G_ema is not None:
        update_ema(state.G_ema, G, ema_decay(cfg.ema, state.step))
    state.step += 1

    with torch.no_grad():  # D(x) and D(G(z)): means over D's logits, one per group of model.pack samples
        numbers = torch.stack(
            [
                loss_d.detach(),
                loss_g.detach(),
                torch.sigmoid(real_logits.detach()).mean(),
                torch.sigmoid(fake_logits.detach()).mean(),
            ]
        )
        numbers = state.world.mean(numbers).tolist()
    return {
        "loss_d": numbers[0],
        "loss_g": numbers[1],
        "d_real": numbers[2],
        "d_fake": numbers[3],
        "lr_d": lr_d,
        "lr_g": lr_g,
    }


def _update(scaler: torch.amp.GradScaler, opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """backward + step, through the fp16 loss scaler (a pass-through for fp32 and bf16)."""
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
