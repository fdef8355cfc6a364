"""What both update orders (`training.step`, `training.simultaneous`) share: drawing this rank's shard of a
minibatch and of noise, the lazy R1 term, backward + step through the loss scaler, and the closing bookkeeping."""

from __future__ import annotations

import torch

from zerosum.config import TrainConfig
from zerosum.losses import r1_penalty
from zerosum.training.ema import ema_decay, update_ema
from zerosum.training.state import TrainState


def noise(state: TrainState, batch: int, device: torch.device, num_classes: int):
    """This rank's shard of a global batch of noise (and fake labels): every rank draws the whole batch from the
    shared generator, so the stream is the same whatever the number of processes."""
    z = state.G.sample_z(batch, generator=state.noise)
    y = torch.randint(num_classes, (batch,), generator=state.noise) if num_classes else None
    z, y = state.world.shard(z), state.world.shard(y)
    return z.to(device), (y.to(device) if y is not None else None)


def draw(state: TrainState, data, batch: int, device: torch.device, value_range, num_classes: int):
    """A fresh real minibatch, fresh noise and (for conditional models) fake labels: this rank's shard of each."""
    idx = state.world.shard(state.sampler.next(batch))
    real = data.batch(idx, value_range=value_range, device=device)
    y_real = data.labels[idx.to(data.labels.device)].to(device) if num_classes else None
    z, y_fake = noise(state, batch, device, num_classes)
    return real, y_real, z, y_fake


def memory_format(cfg: TrainConfig, data) -> torch.memory_format:
    return torch.channels_last if cfg.channels_last and data.kind != "points" else torch.contiguous_format


def wants_r1(cfg: TrainConfig, step: int) -> bool:
    """Whether this step adds the R1 penalty (lazy regularisation: every r1_every-th step)."""
    return cfg.r1_gamma > 0 and step % cfg.r1_every == 0


def r1_term(state: TrainState, cfg: TrainConfig, real_logits: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """γ/2 · E‖∇D(x)‖², weighted by r1_every (Karras et al. 2020) to make up for the skipped steps.

    r1_penalty averages ‖∇‖² per sample; D's input is a group of `pack`, whose ‖∇‖² is the members' sum.
    """
    pack = getattr(state.D, "pack", 1)
    return cfg.r1_gamma / 2 * cfg.r1_every * pack * r1_penalty(real_logits, real)


def noise_sigma(cfg: TrainConfig, step: int) -> float:
    """The instance noise's σ at this step: `instance_noise`, falling linearly to 0 at `instance_noise_steps`."""
    if cfg.instance_noise <= 0:
        return 0.0
    span = cfg.instance_noise_steps or cfg.steps
    return cfg.instance_noise * max(0.0, 1.0 - step / span)


def instance_noise(state: TrainState, cfg: TrainConfig, x: torch.Tensor) -> torch.Tensor:
    """`x` with the step's instance noise (Sønderby et al. 2016; Arjovsky & Bottou 2017): where real images lie on
    a thin set G's outputs cannot reach exactly (one-hot masks, quantised pixels), D separates the two perfectly
    and its gradient tells G nothing; blurring both by the same noise makes the two distributions overlap. Drawn
    from the checkpointed noise generator, so resume is exact; nothing is drawn while σ is 0. Like `noise`, every
    rank draws the global batch's noise and keeps its shard, so the stream does not depend on the process count."""
    sigma = noise_sigma(cfg, state.step)
    if sigma == 0.0:
        return x
    everyone = torch.randn((len(x) * state.world.size, *x.shape[1:]), generator=state.noise)
    eps = state.world.shard(everyone).to(device=x.device, dtype=x.dtype)
    return x + sigma * eps  # the sum keeps x's memory format


def backward_step(
    scaler: torch.amp.GradScaler, opt: torch.optim.Optimizer, loss: torch.Tensor, **backward_kwargs
) -> None:
    """backward + step, through the fp16 loss scaler (a pass-through for fp32 and bf16)."""
    scaler.scale(loss).backward(**backward_kwargs)
    scaler.step(opt)
    scaler.update()


def finish(
    state: TrainState,
    loss_d: torch.Tensor,
    loss_g: torch.Tensor,
    real_logits: torch.Tensor,
    fake_logits: torch.Tensor,
    ema: float,
    lrs: tuple[float, float],
) -> dict[str, float]:
    """EMA update, step count, and the numbers to log: D(x) and D(G(z)) are means over D's logits, one per group
    of model.pack samples, averaged over ranks."""
    if state.G_ema is not None:
        update_ema(state.G_ema, state.G, ema_decay(ema, state.step))
    state.step += 1
    with torch.no_grad():
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
        "lr_d": lrs[0],
        "lr_g": lrs[1],
    }
