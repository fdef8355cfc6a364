"""pix2pix (Isola et al. 2017): a U-Net generator and a PatchGAN discriminator on (input, output) pairs.

U-Net of depth d (default: down to 1×1, as the paper's 256² model with d = 8), widths w_i = ngf·min(2^i, 8):
  encoder  C_in → Conv(k4, s2) → w_0 → [LReLU(0.2) → Conv(k4, s2) → Norm] → w_1 … → [LReLU → Conv] → w_{d−1}
           (no norm on the first layer nor on the innermost, whose map may be 1×1)
  decoder  [ReLU → ConvT(k4, s2) → Norm (→ Dropout)] from w_{d−1} back to w_0, each layer's input the previous
           output concatenated with the mirrored encoder layer's; the three innermost decoder layers drop out
           (p = model.dropout), the paper's only noise: G takes no z. Last: ReLU → ConvT → C_out, tanh.
A side that is not a multiple of 2^d (28 for MNIST-sized sets) is padded by reflection to the next one and the
output cropped back.

PatchGAN with n = `model.patch_layers` strided layers: Conv(k4, s2) → LReLU, then n − 1 × [Conv(k4, s2) → Norm →
LReLU] doubling the width up to 8·ndf, then Conv(k4, s1) → Norm → LReLU and Conv(k4, s1) → one logit per patch.
Each logit sees a square of `receptive_field(n)` pixels: 16, 34, 70 (the paper's choice at 256²) and 142 px for
n = 1-4. At 32² the default n = 2 (34 px) judges patches about the image's size with 6×6 logits; at 64², n = 2
judges about half the image, n = 3 the whole of it. The conditional D sees the input's channels stacked on the
output's (`model.condition_d`).

Weights N(0, 0.02), BatchNorm weights N(1, 0.02), biases 0 (the paper's init, DCGAN's).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.config import Pix2PixConfig
from zerosum.errors import ConfigError
from zerosum.models.dcgan import dcgan_init
from zerosum.models.translator import PairDiscriminator, Translator, norm_layer
from zerosum.sizes import image_size

MAX_WIDTH_MULT = 8
DROPOUT_LAYERS = 3


def receptive_field(patch_layers: int) -> int:
    """The side in pixels of the input square one PatchGAN logit depends on."""
    rf = 1
    for k, s in reversed([(4, 2)] * patch_layers + [(4, 1), (4, 1)]):
        rf = (rf - 1) * s + k
    return rf


def patch_grid(side: int, patch_layers: int) -> int:
    """The side of PatchGAN's logit map for an input of `side` pixels."""
    for _ in range(patch_layers):
        side = (side + 2 - 4) // 2 + 1
    return side - 2  # two k4 s1 p1 convolutions


class Dropout(nn.Module):
    """Dropout that can stay on in eval mode (`test_dropout`, the paper's noise at test time)."""

    def __init__(self, p: float, always: bool) -> None:
        super().__init__()
        self.p, self.always = p, always

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, training=self.training or self.always)


class UNetGenerator(Translator):
    """U-Net: see the module docstring for the layer plan."""

    def __init__(self, cfg: Pix2PixConfig, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
        super().__init__(in_shape, out_shape)
        c_in, h, w = in_shape
        if (h, w) != tuple(out_shape[1:]):
            raise ConfigError(f"the U-Net maps images to images of the same size, got {image_size((h, w))} → "
                              f"{image_size(tuple(out_shape[1:]))}")  # fmt: skip
        depth = cfg.unet_depth or max(int(math.ceil(math.log2(max(h, w)))), 1)
        self.unit = 2**depth
        if self.unit > 2 * max(h, w):
            raise ConfigError(f"model.unet_depth={depth} halves {image_size((h, w))} images below 1 pixel; "
                              f"use at most {int(math.ceil(math.log2(max(h, w))))}")  # fmt: skip
        widths = [cfg.ngf * min(2**i, MAX_WIDTH_MULT) for i in range(depth)]
        batch = cfg.norm == "batch"
        self.down = nn.ModuleList()
        for i, width in enumerate(widths):
            normed = 0 < i < depth - 1
            layers: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers.append(nn.Conv2d(c_in if i == 0 else widths[i - 1], width, 4, 2, 1, bias=not (normed and batch)))
            if normed:
                layers.append(norm_layer(cfg.norm, width))
            self.down.append(nn.Sequential(*layers))
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):
            c = widths[i] * (1 if i == depth - 1 else 2)
            if i == 0:
                self.up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(c, out_shape[0], 4, 2, 1), nn.Tanh()))
                continue
            layers = [nn.ReLU(), nn.ConvTranspose2d(c, widths[i - 1], 4, 2, 1, bias=not batch)]
            layers.append(norm_layer(cfg.norm, widths[i - 1]))
            if depth - 1 - i < DROPOUT_LAYERS and cfg.dropout > 0:
                layers.append(Dropout(cfg.dropout, cfg.test_dropout))
            self.up.append(nn.Sequential(*layers))
        dcgan_init(self)

    def translate(self, x: Tensor) -> Tensor:
        h, w = x.shape[-2:]
        ph, pw = -h % self.unit, -w % self.unit
        if ph or pw:
            mode = "reflect" if ph < h and pw < w else "replicate"
            x = F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), mode=mode)
        skips = []
        for layer in self.down:
            x = layer(x)
            skips.append(x)
        skips.pop()  # the innermost map feeds the decoder directly
        for layer in self.up:
            x = layer(x)
            if skips:
                x = torch.cat([x, skips.pop()], dim=1)
        return x[..., ph // 2 : ph // 2 + h, pw // 2 : pw // 2 + w]


class PatchDiscriminator(PairDiscriminator):
    """PatchGAN: one logit per patch of `receptive_field(patch_layers)` pixels, N×1×h×w."""

    def __init__(self, cfg: Pix2PixConfig, in_shape: tuple[int, ...], cond_shape: tuple[int, ...]) -> None:
        super().__init__(in_shape, cond_shape if cfg.condition_d else None)
        n, side = cfg.patch_layers, min(in_shape[1:])
        if patch_grid(side, n) < 1:
            fits = max(k for k in range(1, 6) if patch_grid(side, k) >= 1) if patch_grid(side, 1) >= 1 else 0
            raise ConfigError(f"model.patch_layers={n} leaves no patch of a {image_size(in_shape[1:])} image; "
                              f"use at most {fits}")  # fmt: skip
        c = in_shape[0] + (cond_shape[0] if cfg.condition_d else 0)
        widths = [cfg.ndf * min(2**i, MAX_WIDTH_MULT) for i in range(n + 1)]
        batch = cfg.norm == "batch"
        self.blocks.append(nn.Sequential(nn.Conv2d(c, widths[0], 4, 2, 1), nn.LeakyReLU(0.2)))
        for i in range(1, n + 1):
            stride = 2 if i < n else 1
            conv = nn.Conv2d(widths[i - 1], widths[i], 4, stride, 1, bias=not batch)
            self.blocks.append(nn.Sequential(conv, norm_layer(cfg.norm, widths[i]), nn.LeakyReLU(0.2)))
        self.head = nn.Conv2d(widths[n], 1, 4, 1, 1)
        self.receptive_field = receptive_field(n)
        dcgan_init(self)

    def _logit(self, h: Tensor) -> Tensor:
        return self.head(h)


def build_pix2pix(
    cfg: Pix2PixConfig, in_shape: tuple[int, ...], out_shape: tuple[int, ...]
) -> tuple[UNetGenerator, PatchDiscriminator]:
    return UNetGenerator(cfg, in_shape, out_shape), PatchDiscriminator(cfg, out_shape, in_shape)
