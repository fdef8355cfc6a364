"""Class-conditional BatchNorm (de Vries et al. 2017; Miyato & Koyama 2018's generator), `model.g_conditioning:
batchnorm`.

A label embedding concatenated to z reaches G once, at its input, and a short run can learn to lean on it alone
and drop z (every sample of a class alike). Conditional BatchNorm gives the label a say at every layer instead: each
BatchNorm normalises without an affine transform of its own and then scales and shifts by a gain and a bias looked
up per class, so z keeps the whole input and the class only modulates the features it makes.
"""

from __future__ import annotations

from torch import Tensor, nn


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm2d without affine parameters, then γ_y · h + β_y with γ, β per class (γ ~ N(1, 0.02), β = 0 at
    init, DCGAN's BatchNorm init for every class). The inner `bn` is a plain BatchNorm2d, so population statistics,
    the synchronised multi-process BatchNorm and eval mode treat it like any other."""

    def __init__(self, num_features: int, num_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, affine=False)
        self.gain = nn.Embedding(num_classes, num_features)
        self.bias = nn.Embedding(num_classes, num_features)
        nn.init.normal_(self.gain.weight, 1.0, 0.02)
        nn.init.zeros_(self.bias.weight)

    def forward(self, h: Tensor, y: Tensor) -> Tensor:
        out = self.bn(h)
        gain = self.gain(y).to(out.dtype)[:, :, None, None]
        bias = self.bias(y).to(out.dtype)[:, :, None, None]
        return out * gain + bias


class LabelledSequential(nn.Sequential):
    """nn.Sequential whose conditional layers also get the labels: `block(h, y)`."""

    def forward(self, h: Tensor, y: Tensor | None = None) -> Tensor:  # type: ignore[override]
        for module in self:
            h = module(h, y) if isinstance(module, ConditionalBatchNorm2d) else module(h)
        return h


def run_block(block: nn.Module, h: Tensor, y: Tensor | None) -> Tensor:
    """One of G's blocks on h: with the labels when the block is conditional, alone otherwise."""
    return block(h, y) if isinstance(block, LabelledSequential) else block(h)
