"""The translators' objectives: G minimises adv_weight · GAN term + pixel_weight · pixel loss (+ feature term).

pix2pix: non-saturating cGAN term + 100 · L1 (Isola et al.; 100 · MSE for one-hot masks in `pix2pix-shapes`); D's
objective is halved in its preset (`train.d_loss_scale: 0.5`), as the paper does to slow D relative to G.
SRGAN: 1e-3 · GAN term + MSE, the paper's content loss on pixels; its feature term (the paper's VGG-19 loss) uses
what exists offline: D's own stage activations ("d", any data) or the project's LeNet penultimate features
("lenet", MNIST-like 28×28 digits), MSE between those of output and target, from `pixel_steps` on. The loss
functions are pure, on tensors; `Objective` only collects the weights of one run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from zerosum.config import RunConfig
from zerosum.errors import ConfigError
from zerosum.losses import GanLoss, get_loss
from zerosum.sizes import image_size


def l1(output: Tensor, target: Tensor) -> Tensor:
    """mean |output − target| over every element."""
    return (output - target).abs().mean()


def mse(output: Tensor, target: Tensor) -> Tensor:
    """mean (output − target)² over every element."""
    return (output - target).pow(2).mean()


PIXEL_LOSSES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {"l1": l1, "mse": mse}


def feature_distance(output_feats: list[Tensor], target_feats: list[Tensor]) -> Tensor:
    """Mean over layers of the MSE between two lists of activations; the targets' carry no gradient."""
    terms = [mse(o, t.detach()) for o, t in zip(output_feats, target_feats, strict=True)]
    return torch.stack(terms).mean()


@dataclass
class Objective:
    """One run's weights and loss functions; `features` maps (images in G's range, D) to a list of activations."""

    gan: GanLoss
    adv_weight: float
    pixel: Callable[[Tensor, Tensor], Tensor]
    pixel_weight: float
    feature_weight: float = 0.0
    features: Callable[[Tensor, nn.Module], list[Tensor]] | None = None
    pixel_steps: int = 0  # steps of the content loss alone before D joins

    def adversarial(self, step: int) -> bool:
        """Whether D trains and G's objective has its GAN term at this step."""
        return self.adv_weight > 0 and step >= self.pixel_steps

    def featured(self, step: int) -> bool:
        """Whether G's objective has its feature term at this step: from `pixel_steps` on, so the SRResNet stage
        is the pixel loss alone as in the paper, and runs that differ only in their feature term share it."""
        return self.features is not None and self.feature_weight > 0 and step >= self.pixel_steps


LENET_SHAPE = [1, 28, 28]


def check_objective(cfg: RunConfig) -> None:
    """One-line errors for an objective the run's data cannot have, before anything is trained or created."""
    m, info = cfg.model, cfg.data_info
    if getattr(m, "feature_loss", "none") == "lenet" and info is not None and info.shape != LENET_SHAPE:
        raise ConfigError(
            f"model.feature_loss=lenet reads 28×28 grey digits, not {image_size(info.shape[1:])} images; "
            "use model.feature_loss=d or none"
        )


def _lenet_features(device: torch.device) -> Callable[[Tensor, nn.Module], list[Tensor]]:
    from zerosum.metrics.classifier import get_classifier

    lenet = get_classifier("mnist", device).eval().requires_grad_(False)

    def features(x: Tensor, D: nn.Module) -> list[Tensor]:
        return [lenet.features((x + 1) / 2)]

    return features


def _d_features(x: Tensor, D: nn.Module) -> list[Tensor]:
    return D.features(x)


def make_objective(cfg: RunConfig, device: torch.device) -> Objective:
    """The objective of a translator run's config."""
    check_objective(cfg)
    m = cfg.model
    features, weight = None, 0.0
    if getattr(m, "feature_loss", "none") != "none":
        weight = m.feature_weight
        features = _lenet_features(device) if m.feature_loss == "lenet" else _d_features
    return Objective(
        gan=get_loss(cfg.train.loss),
        adv_weight=m.adv_weight,
        pixel=PIXEL_LOSSES[m.pixel_loss],
        pixel_weight=m.pixel_weight,
        feature_weight=weight,
        features=features,
        pixel_steps=getattr(m, "pixel_steps", 0),
    )
