"""The contract of the image-to-image models (pix2pix.py, srgan.py), beside the noise models' in common.py.

A translator G maps inputs N×in_shape to outputs N×out_shape in tanh's range; `forward(x, y=None)` takes (and
ignores) labels so the code that previews and samples noise models can call it the same way. Its D returns logits:
one per image (SRGAN) or one per patch (PatchGAN, N×1×h×w), from `forward(x, cond)`, where `cond` is G's input,
which a conditional D sees beside the output; `features(x, cond)` gives the activations of its stages.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from zerosum.errors import ConfigError
from zerosum.models.common import OUTPUT_RANGES
from zerosum.sizes import shape_text


def check_input(x: Tensor, shape: tuple[int, ...], who: str) -> None:
    """One line naming the shapes when a batch does not fit the model."""
    if x.dim() != 4 or tuple(x.shape[1:]) != shape:
        raise ConfigError(
            f"the {who} expects inputs of {shape_text(shape)}, got {shape_text(tuple(x.shape[1:]))}; "
            "give it images of the size and channels it was trained on"
        )


def norm_layer(kind: str, channels: int) -> nn.Module:
    """BatchNorm, or InstanceNorm without affine parameters and running statistics (pix2pix's two choices)."""
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    return nn.BatchNorm2d(channels)


class Translator(nn.Module):
    """G of the image-to-image families: `in_shape` → `out_shape`, tanh output."""

    conditional = False
    num_classes = 0

    def __init__(self, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.out_shape = tuple(out_shape)
        self.output = "tanh"
        self.output_range = OUTPUT_RANGES["tanh"]

    def translate(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        check_input(x, self.in_shape, "generator")
        return self.translate(x)


class PairDiscriminator(nn.Module):
    """D of the image-to-image families: logits for outputs N×in_shape, optionally given G's input `cond`."""

    conditional = False
    num_classes = 0
    pack = 1

    def __init__(self, in_shape: tuple[int, ...], cond_shape: tuple[int, ...] | None) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.cond_shape = tuple(cond_shape) if cond_shape is not None else None
        self.blocks = nn.ModuleList()

    def _stem(self, x: Tensor, cond: Tensor | None) -> Tensor:
        check_input(x, self.in_shape, "discriminator")
        if self.cond_shape is None:
            return x
        if cond is None:
            raise ConfigError("this discriminator judges (input, output) pairs: pass G's input as cond")
        check_input(cond, self.cond_shape, "discriminator's condition")
        if cond.shape[-2:] != x.shape[-2:]:  # a smaller input (upscaling) is shown at the output's size
            cond = nn.functional.interpolate(cond, size=x.shape[-2:], mode="nearest")
        return torch.cat([cond.to(x.dtype), x], dim=1)

    def features(self, x: Tensor, cond: Tensor | None = None) -> list[Tensor]:
        h = self._stem(x, cond)
        outs = []
        for block in self.blocks:
            h = block(h)
            outs.append(h)
        return outs

    def _logit(self, h: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, cond: Tensor | None = None) -> Tensor:
        return self._logit(self.features(x, cond)[-1])
