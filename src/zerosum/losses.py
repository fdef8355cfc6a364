"""GAN objectives as pure functions of D's logits. One place, tested against closed forms.

With D(x) = sigmoid(logit): log D = −softplus(−logit) and log(1 − D) = −softplus(logit), which stay finite for
any logit (log(sigmoid(50)) in float32 would be log(1) − log of a rounded 0). All return means over the batch;
real and fake batches are averaged separately, so they may differ in size.

The game (Goodfellow et al. 2014): V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))]; D maximises V, G minimises it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from zerosum.errors import ConfigError


def _neg_log_d(logits: Tensor) -> Tensor:
    """−log sigmoid(logit), elementwise."""
    return F.softplus(-logits)


def _neg_log_one_minus_d(logits: Tensor) -> Tensor:
    """−log(1 − sigmoid(logit)), elementwise."""
    return F.softplus(logits)


def value(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The estimate of V(D, G) on these batches (for logging; at the equilibrium it is −log 4)."""
    return -_neg_log_d(real_logits).mean() - _neg_log_one_minus_d(fake_logits).mean()


def d_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """−[mean log D(x) + mean log(1 − D(G(z)))] = −V: minimising it is D's ascent on V."""
    return _neg_log_d(real_logits).mean() + _neg_log_one_minus_d(fake_logits).mean()


def g_minimax(fake_logits: Tensor) -> Tensor:
    """mean log(1 − D(G(z))): the saturating loss of the minimax game; its gradient vanishes when D wins."""
    return -_neg_log_one_minus_d(fake_logits).mean()


def g_nonsaturating(fake_logits: Tensor) -> Tensor:
    """mean −log D(G(z)): same fixed point as minimax, strong gradients early in training (the paper's advice)."""
    return _neg_log_d(fake_logits).mean()


def d_hinge(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Hinge loss for D (Lim & Ye 2017; Miyato et al. 2018): mean relu(1 − real) + mean relu(1 + fake)."""
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_hinge(fake_logits: Tensor) -> Tensor:
    """Hinge loss for G: −mean fake logit."""
    return -fake_logits.mean()


def auxiliary_classifier(class_logits: Tensor, labels: Tensor) -> Tensor:
    """ACGAN's class term (Odena et al. 2017): −mean log P(C = y | x), the cross-entropy of the auxiliary
    classifier's logits. D minimises it on real and generated images; G minimises it on its own, so that its
    samples are recognisably of the class it was asked for."""
    return F.cross_entropy(class_logits.float(), labels)


def semi_supervised_d(
    labelled_logits: Tensor,
    labels: Tensor,
    real_logits: Tensor,
    fake_logits: Tensor,
    unsup_weight: float = 1.0,
) -> tuple[Tensor, Tensor]:
    """The (K+1)-class discriminator's loss of Salimans et al. 2016: (supervised, unsupervised).

    Supervised: −mean log p(y | x, y < K+1), the cross-entropy of the K class logits on labelled images (the
    "generated" class drops out of the conditional). Unsupervised: −[mean log D(x) + mean log(1 − D(G(z)))] on
    unlabelled real and generated images, with D(x) = Z/(Z+1) and Z = Σ exp l_k: the GAN's own `d_loss` on the
    logits log Z (`models.semisupervised.gan_logit`), weighted by `unsup_weight`.
    """
    supervised = F.cross_entropy(labelled_logits.float(), labels)
    return supervised, unsup_weight * d_loss(real_logits.float(), fake_logits.float())


def feature_matching(real_features: Tensor, fake_features: Tensor, distance: str = "l2") -> Tensor:
    """G's feature-matching objective (Salimans et al. 2016): ‖E f(x) − E f(G(z))‖² over the batch means of an
    intermediate layer of D ("l2"), or the mean absolute difference of the means, as their MNIST code has it
    ("l1"). The real features are a target: no gradient flows into them."""
    gap = real_features.detach().float().mean(0) - fake_features.float().mean(0)
    if distance == "l1":
        return gap.abs().mean()
    if distance == "l2":
        return gap.square().sum()
    raise ConfigError(f"feature matching distance {distance!r}: use l1 or l2")


def r1_penalty(real_logits: Tensor, real: Tensor) -> Tensor:
    """mean ‖∇ₓ D(x)‖² on real data (Mescheder et al. 2018): it damps D's gradients where the data lie, which keeps
    simultaneous gradient descent from circling the equilibrium. `real` must require grad and have produced
    `real_logits`; the graph is kept so the penalty itself can be minimised."""
    (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
    return grad.float().pow(2).flatten(1).sum(1).mean()


@dataclass(frozen=True)
class GanLoss:
    """A pair of objectives, both minimised: `d(real_logits, fake_logits)` for D, `g(fake_logits)` for G."""

    name: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor], Tensor]


LOSSES: dict[str, GanLoss] = {
    "minimax": GanLoss("minimax", d_loss, g_minimax),
    "nonsaturating": GanLoss("nonsaturating", d_loss, g_nonsaturating),
    "hinge": GanLoss("hinge", d_hinge, g_hinge),
}


def get_loss(name: str) -> GanLoss:
    """The registered loss called `name`."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ConfigError(f"unknown loss {name!r}: use one of {', '.join(sorted(LOSSES))}") from None
