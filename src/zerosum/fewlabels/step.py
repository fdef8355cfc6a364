"""One iteration of the semi-supervised GAN (Salimans et al. 2016): a D-step on labelled, unlabelled and generated
images, then a G-step by feature matching.

The unlabelled minibatch is the run's usual one (every training image, labels unread); the labelled minibatch
comes from its own seeded sampler over the `data.labelled` images (at most `train.batch_size` of them per step: the
paper's 100 labels are all seen at every step). Both samplers, the noise generator and the global RNG (D's Gaussian
noise) are in every checkpoint, so resume is exact as for the other families. With `train.d_ema` the step keeps an
average of D's weights after each D update: the paper's code tests the classifier with averaged weights, which
smooths the oscillation that the adversarial term keeps up in D.
"""

from __future__ import annotations

import torch

from zerosum.config import RunConfig
from zerosum.losses import GanLoss, feature_matching, semi_supervised_d
from zerosum.training import schedules
from zerosum.training.ema import ema_decay, update_ema
from zerosum.training.fastpaths import autocast
from zerosum.training.state import TrainState
from zerosum.training.step_parts import backward_step, draw, finish, noise


def labelled_batch(state: TrainState, data, batch: int, device: torch.device, value_range):
    """A minibatch of the labelled images and their labels, from the labelled sampler."""
    n = min(batch, len(data.labelled))
    pick = data.labelled[state.label_sampler.next(n)].to(data.labels.device)
    return data.batch(pick, value_range=value_range, device=device), data.labels[pick].to(device)


def semi_supervised_step(
    state: TrainState, data, loss: GanLoss, cfg: RunConfig, device: torch.device, value_range
) -> dict[str, float]:
    """Update D once on the (K+1)-class loss and G once on feature matching (or `loss`'s G term when off)."""
    t, m = cfg.train, cfg.model
    G, D = state.G, state.D
    lr_d = schedules.apply(state.opt_d, t.lr_d, state.step, t, state.lr_scale)
    lr_g = schedules.apply(state.opt_g, t.lr_g, state.step, t, state.lr_scale)

    real, _, z, _ = draw(state, data, t.batch_size, device, value_range, 0)
    x_lab, y_lab = labelled_batch(state, data, t.batch_size, device, value_range)
    if state.step == 0:  # weight norm's data-dependent init, on the first unlabelled minibatch (once: resume is later)
        D.init_from_data(real)
        if state.D_ema is not None:
            state.D_ema.load_state_dict(D.state_dict())
    D.requires_grad_(True)
    with autocast(device, t.amp):
        with torch.no_grad():
            fake = G(z)
        lab_logits = D.classify(x_lab)
        real_logits, fake_logits = D(real).float(), D(fake).float()
        supervised, unsupervised = semi_supervised_d(lab_logits, y_lab, real_logits, fake_logits, m.unsup_weight)
    state.opt_d.zero_grad(set_to_none=True)
    backward_step(state.scaler_d, state.opt_d, supervised + unsupervised)
    if state.D_ema is not None:
        update_ema(state.D_ema, D, ema_decay(t.d_ema, state.step))

    z, _ = noise(state, t.batch_size, device, 0)
    D.requires_grad_(False)
    with autocast(device, t.amp):
        fake = G(z)
        if m.feature_matching == "off":
            loss_g = loss.g(D(fake).float())
        else:
            with torch.no_grad():
                real_features = D.forward_all(real)[1]
            loss_g = feature_matching(real_features, D.forward_all(fake)[1], m.feature_matching)
    state.opt_g.zero_grad(set_to_none=True)
    backward_step(state.scaler_g, state.opt_g, loss_g)
    D.requires_grad_(True)
    stats = finish(state, unsupervised, loss_g, real_logits, fake_logits, t.ema, (lr_d, lr_g))
    stats["loss_sup"] = float(supervised.detach())
    stats["acc_labelled"] = float((lab_logits.detach().argmax(1) == y_lab).float().mean())
    return stats
