"""The simultaneous update of the GAN paper's released code: one minibatch, one forward of G and D, both updated.

With the minimax loss the step is one backward pass: a gradient reversal layer (`models.reversal`) sits between
G's output and D, so the gradient of D's loss −V trains D as it is and reaches G reversed, as the gradient of
E log(1 − D(G(z))). Its λ is 1 / `train.d_loss_scale`, so G's gradient stays that of its unscaled objective when
D's is scaled (the released code's 0.5). Other losses give G an objective of its own (−log D(G(z)) for the
non-saturating one), taken from the same forward pass: two gradient computations over one graph, each
restricted to its own player's weights, and no second pass through D — so G is scored by the very dropout masks
(and BatchNorm statistics) that D was trained on.

Against Algorithm 1 (`update: alternating`), G here follows the D of the step before, not the one just updated;
each step costs one G forward and one D forward fewer.
"""

from __future__ import annotations

import torch

from zerosum.config import TrainConfig
from zerosum.losses import GanLoss
from zerosum.models.reversal import reverse_gradient
from zerosum.training import schedules
from zerosum.training.fastpaths import autocast
from zerosum.training.state import TrainState
from zerosum.training.step_parts import draw, finish, instance_noise, memory_format, r1_term, wants_r1


def simultaneous_step(
    state: TrainState, data, loss: GanLoss, cfg: TrainConfig, device: torch.device, value_range, num_classes: int
) -> dict[str, float]:
    """Update D and G once each from one minibatch and one forward pass."""
    G, D, run = state.G, state.D, state.replicas
    lr_d = schedules.apply(state.opt_d, cfg.lr_d, state.step, cfg, state.lr_scale)
    lr_g = schedules.apply(state.opt_g, cfg.lr_g, state.step, cfg, state.lr_scale)
    fmt = memory_format(cfg, data)
    reversal = loss.name == "minimax"

    real, y_real, z, y_fake = draw(state, data, cfg.batch_size, device, value_range, num_classes)
    real = real.contiguous(memory_format=fmt)
    r1 = wants_r1(cfg, state.step)
    real.requires_grad_(r1)
    D.requires_grad_(True)
    with autocast(device, cfg.amp):
        fake = run.G(z, y_fake).contiguous(memory_format=fmt)
        seen = reverse_gradient(fake, 1.0 / cfg.d_loss_scale) if reversal else fake
        seen_real, seen = instance_noise(state, cfg, real), instance_noise(state, cfg, seen)
        real_logits, fake_logits = run.D_pair(seen_real, y_real, seen, y_fake)
        real_logits, fake_logits = real_logits.float(), fake_logits.float()
        loss_d = loss.d(real_logits, fake_logits)
        loss_g = loss.g(fake_logits)
    objective = cfg.d_loss_scale * loss_d
    if r1:
        objective = objective + r1_term(state, cfg, real_logits, real)
    state.opt_d.zero_grad(set_to_none=True)
    state.opt_g.zero_grad(set_to_none=True)
    if reversal:  # one backward: D's gradient, and G's through the reversal; one loss scale serves both
        state.scaler_d.scale(objective).backward()
        state.scaler_d.step(state.opt_d)
        state.scaler_d.step(state.opt_g)
        state.scaler_d.update()
    else:  # both gradients before either step: G's must be taken through the D that saw the batch
        state.scaler_d.scale(objective).backward(retain_graph=True, inputs=list(D.parameters()))
        state.scaler_g.scale(loss_g).backward(inputs=list(G.parameters()))
        for scaler, opt in ((state.scaler_d, state.opt_d), (state.scaler_g, state.opt_g)):
            scaler.step(opt)
            scaler.update()
    return finish(state, loss_d, loss_g, real_logits, fake_logits, cfg.ema, (lr_d, lr_g))
