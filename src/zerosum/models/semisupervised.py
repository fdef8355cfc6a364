"""The semi-supervised GAN of Salimans et al. 2016 ("Improved Techniques for Training GANs", §5), MNIST models.

D is a classifier with K outputs l_1..l_K. The paper's (K+1)-th class, "generated", gets a logit fixed at 0 (the
softmax is unchanged by shifting all K+1 logits, so nothing is lost), which makes the probability that x is real
D(x) = Z / (Z + 1) with Z = Σ_k exp l_k: the GAN logit is log Z = logsumexp(l). `forward` returns that logit, so
every part of zerosum that reads D's logits (losses, logs, rejection sampling) reads this D as any other;
`classify` returns the K class logits.

Layers (the paper's released MNIST code):
  G: z (100) → [Linear (no bias) → BatchNorm → softplus] × (500, 500) → weight-normed Linear → 784, sigmoid.
  D: x + N(0, 0.3²) → [weight-normed Linear → ReLU → + N(0, 0.5²)] × (1000, 500, 250, 250, 250)
     → weight-normed Linear → K logits.
The Gaussian noise is on while training only (like dropout, drawn from the global RNG, which checkpoints keep).
Weight normalisation (Salimans & Kingma 2016) is torch's parametrisation; the paper's data-dependent init is not used.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.utils.parametrizations import weight_norm

from zerosum.config import SemiSupervisedConfig
from zerosum.errors import ConfigError
from zerosum.models.common import Discriminator, Generator


class GaussianNoise(nn.Module):
    """x + N(0, σ²) in training mode, x in eval mode."""

    def __init__(self, sigma: float) -> None:
        super().__init__()
        self.sigma = sigma

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.sigma == 0:
            return x
        return x + self.sigma * torch.randn_like(x)


class SemiSupervisedGenerator(Generator):
    """MLP G with BatchNorm and softplus; see the module docstring."""

    def __init__(self, cfg: SemiSupervisedConfig, data_shape: tuple[int, ...]) -> None:
        super().__init__(cfg.nz, cfg.z_dist, data_shape, "sigmoid")
        width = cfg.nz
        for hidden in cfg.g_hidden:
            layer = nn.Linear(width, hidden, bias=False)  # BatchNorm's shift stands in for the bias
            self.blocks.append(nn.Sequential(layer, nn.BatchNorm1d(hidden), nn.Softplus()))
            width = hidden
        out = math.prod(data_shape)
        self.blocks.append(nn.Sequential(weight_norm(nn.Linear(width, out)), nn.Sigmoid(), nn.Unflatten(1, data_shape)))


class SemiSupervisedDiscriminator(Discriminator):
    """K-class MLP classifier whose GAN logit is logsumexp of its class logits; see the module docstring."""

    def __init__(self, cfg: SemiSupervisedConfig, data_shape: tuple[int, ...], num_classes: int) -> None:
        super().__init__(data_shape)
        if num_classes < 2:
            raise ConfigError("model.arch=ssgan classifies: it needs a labelled dataset with at least 2 classes")
        self.classes = num_classes
        self.input_noise = GaussianNoise(cfg.input_noise)
        width = math.prod(data_shape)
        for hidden in cfg.d_hidden:
            self.blocks.append(
                nn.Sequential(weight_norm(nn.Linear(width, hidden)), nn.ReLU(), GaussianNoise(cfg.hidden_noise))
            )
            width = hidden
        self.head = weight_norm(nn.Linear(width, num_classes))

    def _stem(self, x: Tensor, y: Tensor | None) -> Tensor:
        return self.input_noise(x.flatten(1))

    def classify(self, x: Tensor) -> Tensor:
        """The K class logits (N×K); the "generated" class's logit is 0."""
        h, _ = self._hidden(x, None)
        return self.head(h)

    def _logit(self, h: Tensor, y: Tensor | None) -> Tensor:
        return gan_logit(self.head(h)).to(h.dtype)

    def forward_all(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(class logits, last hidden features) from one pass: what the step's losses read."""
        h, _ = self._hidden(x, None)
        return self.head(h), h


def build_semisupervised(
    cfg: SemiSupervisedConfig, data_shape: tuple[int, ...], num_classes: int
) -> tuple[SemiSupervisedGenerator, SemiSupervisedDiscriminator]:
    return SemiSupervisedGenerator(cfg, data_shape), SemiSupervisedDiscriminator(cfg, data_shape, num_classes)


def gan_logit(class_logits: Tensor) -> Tensor:
    """log Z = logsumexp of the K class logits: the logit of D(x) = Z / (Z + 1)."""
    return torch.logsumexp(class_logits.float(), dim=1)
