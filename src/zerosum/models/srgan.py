"""SRGAN (Ledig et al. 2017): the SRResNet generator and the VGG-style strided discriminator.

SRResNet for ×f (f a power of two), width ngf, B = `model.blocks` residual blocks:
  Conv(k9) → PReLU → h₀;  B × [Conv(k3) → BN → PReLU → Conv(k3) → BN, + skip];  Conv(k3) → BN, + h₀ (the global
  skip);  log₂ f × [Conv(k3, ngf → 4·ngf) → PixelShuffle(2) → PReLU];  Conv(k9) → C, tanh. With `model.bicubic_skip`
  the last convolution starts at zero, has no tanh, and its output is added to the bicubic upscaling of the input
  (VDSR's global residual): G starts as bicubic interpolation and learns the detail bicubic misses.
Each ×2 stage's convolution starts ICNR-initialised (Aitken et al. 2017): the four sub-pixel filters of every output
channel are one kernel repeated, so at init the stage is a convolution followed by nearest-neighbour upsampling and
makes no checkerboard. Its borders are replicated rather than zero-padded, so a constant image stays constant
through the stage (tested).

D, width ndf: Conv(k3) → LReLU(0.2), Conv(k3, s2) → BN → LReLU, then S − 1 stages of [Conv(k3) → BN → LReLU →
Conv(k3, s2) → BN → LReLU] doubling the width up to 8·ndf, with S = min(4, log₂(side) − 1) stride-2 stages in all
(the paper's four at 96²; fewer on small images so at least 2×2 remain); then flatten → Linear(16·ndf) → LReLU →
Linear(1), one logit per image. D judges high-resolution images alone, as in the paper.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from zerosum.config import SRGANConfig
from zerosum.errors import ConfigError
from zerosum.models.translator import PairDiscriminator, Translator
from zerosum.sizes import image_size

MAX_WIDTH_MULT = 8


def icnr_(weight: Tensor, scale: int = 2, init=nn.init.kaiming_normal_) -> Tensor:
    """ICNR in place: a (C·s², C_in, k, k) weight whose s² sub-pixel filters per output channel are equal."""
    out_c = weight.shape[0] // scale**2
    base = torch.empty(out_c, *weight.shape[1:], dtype=weight.dtype, device=weight.device)
    init(base)
    with torch.no_grad():
        weight.copy_(base.repeat_interleave(scale**2, dim=0))
    return weight


class Upsample2x(nn.Sequential):
    """Conv(k3, C → 4C, replicated borders, ICNR) → PixelShuffle(2) → PReLU."""

    def __init__(self, channels: int) -> None:
        conv = nn.Conv2d(channels, 4 * channels, 3, 1, 1, padding_mode="replicate")
        icnr_(conv.weight)
        nn.init.zeros_(conv.bias)
        super().__init__(conv, nn.PixelShuffle(2), nn.PReLU(channels))


class ResidualBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.BatchNorm2d(channels),
            nn.PReLU(channels),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class SRResNet(Translator):
    """The SRResNet generator; `factor` = output side / input side."""

    def __init__(self, cfg: SRGANConfig, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
        super().__init__(in_shape, out_shape)
        c, h, w = in_shape
        factor = out_shape[1] // h
        if factor < 2 or factor & (factor - 1) or out_shape[1:] != (h * factor, w * factor):
            raise ConfigError(f"SRResNet upscales by a power of two, not {image_size((h, w))} → "
                              f"{image_size(tuple(out_shape[1:]))}")  # fmt: skip
        self.factor = factor
        g = cfg.ngf
        self.head = nn.Sequential(nn.Conv2d(c, g, 9, 1, 4), nn.PReLU(g))
        self.body = nn.Sequential(
            *[ResidualBlock(g) for _ in range(cfg.blocks)], nn.Conv2d(g, g, 3, 1, 1, bias=False), nn.BatchNorm2d(g)
        )
        self.upsample = nn.Sequential(*[Upsample2x(g) for _ in range(int(math.log2(factor)))])
        self.bicubic_skip = cfg.bicubic_skip
        tail = nn.Conv2d(g, out_shape[0], 9, 1, 4)
        if self.bicubic_skip:  # the residual starts at 0: at init G is bicubic interpolation
            nn.init.zeros_(tail.weight)
            nn.init.zeros_(tail.bias)
        self.tail = nn.Sequential(tail, nn.Identity() if self.bicubic_skip else nn.Tanh())

    def translate(self, x: Tensor) -> Tensor:
        h = self.head(x)
        out = self.tail(self.upsample(h + self.body(h)))
        if self.bicubic_skip:
            up = nn.functional.interpolate(x, scale_factor=self.factor, mode="bicubic", align_corners=False)
            out = out + up
        return out


def _conv(c_in: int, c_out: int, stride: int, bn: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 3, stride, 1, bias=not bn)]
    if bn:
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


class SRDiscriminator(PairDiscriminator):
    """VGG-style strided D, one logit per high-resolution image; `features` gives each stride-2 stage's output."""

    def __init__(self, cfg: SRGANConfig, in_shape: tuple[int, ...]) -> None:
        super().__init__(in_shape, None)
        c, h, w = in_shape
        stages = min(4, int(math.log2(min(h, w))) - 1)
        if stages < 1:
            raise ConfigError(f"the SRGAN discriminator needs images of at least 4×4, got {image_size((h, w))}")
        widths = [cfg.ndf * min(2**i, MAX_WIDTH_MULT) for i in range(stages)]
        self.blocks.append(nn.Sequential(_conv(c, widths[0], 1, bn=False), _conv(widths[0], widths[0], 2)))
        for i in range(1, stages):
            self.blocks.append(nn.Sequential(_conv(widths[i - 1], widths[i], 1), _conv(widths[i], widths[i], 2)))
        side_h, side_w = h, w
        for _ in range(stages):
            side_h, side_w = (side_h - 1) // 2 + 1, (side_w - 1) // 2 + 1
        hidden = 16 * cfg.ndf
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(widths[-1] * side_h * side_w, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1)
        )

    def _logit(self, h: Tensor) -> Tensor:
        return self.head(h).flatten()


def build_srgan(
    cfg: SRGANConfig, in_shape: tuple[int, ...], out_shape: tuple[int, ...]
) -> tuple[SRResNet, SRDiscriminator]:
    return SRResNet(cfg, in_shape, out_shape), SRDiscriminator(cfg, out_shape)
