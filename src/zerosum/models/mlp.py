"""The GAN paper's MNIST model (Goodfellow et al. 2014): a ReLU MLP generator and a maxout + dropout discriminator.

Also the model for toy point data ((D,)-shaped samples), where the generator's output is linear.

Initialisation follows the paper's pylearn2 configuration: weights U(-r, r) with r = 0.05 in G and r = 0.005 in D,
biases 0 (`model.g_init_range`, `model.d_init_range`); PacGAN's 2-D models draw N(0, 0.02²) instead
(`model.mlp_init=normal`) and put BatchNorm in G's hidden layers (`model.g_batch_norm`). The tiny D weights make
D(x) start at 1/2 for every input, so neither player is ahead at step 0. The 1-D toy needs wider ranges: a nearly
linear D cannot see that two distributions with the same mean differ in spread. The sigmoid output bias of G starts
at logit(pixel_mean) (pylearn2's `init_bias_target_marginals`), so G's first samples already have the data's average
brightness per pixel instead of a uniform grey, and D cannot win on the mean alone.

For point data both models work in standardised coordinates: D sees (x − mean) / std of the training points and
G's linear output is mapped back by std · h + mean (fixed buffers, saved in checkpoints). Without it a maxout D
on data far from the origin (the 1-D toy's N(4, 0.5)) starts with the same piece active everywhere on the data,
is linear there, and can only compare means.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from zerosum.config import MLPConfig
from zerosum.errors import ConfigError
from zerosum.models.common import Discriminator, Generator, logit, output_activation


def _linear(n_in: int, n_out: int, irange: float, cfg: MLPConfig | None = None, bias: bool = True) -> nn.Linear:
    """A linear layer with weights U(−irange, irange), or N(0, std²) when cfg.mlp_init is "normal"; biases 0."""
    layer = nn.Linear(n_in, n_out, bias=bias)
    if cfg is not None and cfg.mlp_init == "normal":
        nn.init.normal_(layer.weight, 0.0, cfg.mlp_init_std)
    else:
        nn.init.uniform_(layer.weight, -irange, irange)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer


def _hidden(n_in: int, n_out: int, cfg: MLPConfig) -> nn.Sequential:
    """One hidden layer of G: Linear → ReLU, or Linear without bias → BatchNorm → ReLU (the bias would be
    cancelled by the normalisation)."""
    if cfg.g_batch_norm:
        return nn.Sequential(_linear(n_in, n_out, cfg.g_init_range, cfg, bias=False), nn.BatchNorm1d(n_out), nn.ReLU())
    return nn.Sequential(_linear(n_in, n_out, cfg.g_init_range, cfg), nn.ReLU())


class Maxout(nn.Module):
    """A linear layer of units × pieces outputs, reduced by a max over each unit's pieces."""

    def __init__(self, n_in: int, units: int, pieces: int, irange: float, cfg: MLPConfig | None = None) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = _linear(n_in, units * pieces, irange, cfg)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(x).view(x.shape[0], self.units, self.pieces).amax(dim=2)


def _output_bias(pixel_mean: Tensor, out_shape: tuple[int, ...], output: str) -> Tensor | None:
    """Output-layer bias that makes G's pre-activation 0 map to the data's mean (pixel_mean in [0, 1] units)."""
    if output == "linear":
        return None
    numel = math.prod(out_shape)
    m = pixel_mean.detach().to(torch.float64).flatten().cpu()
    if m.numel() == 1:
        m = m.expand(numel)
    elif len(out_shape) == 3 and m.numel() == out_shape[0]:  # per channel
        m = m.repeat_interleave(numel // out_shape[0])
    elif m.numel() != numel:
        raise ConfigError(
            f"pixel_mean has {m.numel()} values but the data has {numel} per sample; pass one value, "
            "one per channel or one per pixel"
        )
    b = logit(m)
    return (b / 2 if output == "tanh" else b).float()  # tanh(b/2) = 2·sigmoid(b) − 1


class PointScale(nn.Module):
    """Per-coordinate mean and std of the training points; `inverse` maps standardised values back."""

    def __init__(self, dim: int, inverse: bool) -> None:
        super().__init__()
        self.inverse = inverse
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))

    def set_(self, stats: tuple[Tensor, Tensor]) -> None:
        mean, std = (t.detach().to(torch.float32).flatten().cpu() for t in stats)
        with torch.no_grad():
            self.mean.copy_(mean)
            self.std.copy_(std.clamp_min(1e-6))

    def forward(self, x: Tensor) -> Tensor:
        reps = x.shape[1] // self.mean.numel()  # a packed D sees `pack` points side by side
        mean, std = self.mean.repeat(reps).to(x.dtype), self.std.repeat(reps).to(x.dtype)
        return x * std + mean if self.inverse else (x - mean) / std


class MLPGenerator(Generator):
    """z (+ label embedding) → ReLU hidden layers → prod(out_shape) outputs, reshaped to out_shape."""

    def __init__(
        self,
        cfg: MLPConfig,
        out_shape: tuple[int, ...],
        output: str,
        num_classes: int = 0,
        pixel_mean: Tensor | None = None,
        point_stats: tuple[Tensor, Tensor] | None = None,
    ) -> None:
        super().__init__(cfg.nz, cfg.z_dist, out_shape, output, num_classes, cfg.embed_dim)
        width = self.in_features
        for h in cfg.g_hidden:
            self.blocks.append(_hidden(width, h, cfg))
            width = h
        head = _linear(width, math.prod(out_shape), cfg.g_init_range, cfg)
        if pixel_mean is not None and (bias := _output_bias(pixel_mean, self.out_shape, output)) is not None:
            with torch.no_grad():
                head.bias.copy_(bias)
        tail: list[nn.Module] = [head, output_activation(output)]
        if len(out_shape) == 1:
            self.scale = PointScale(out_shape[0], inverse=True)
            if point_stats is not None:
                self.scale.set_(point_stats)
            tail.append(self.scale)
        self.blocks.append(nn.Sequential(*tail, nn.Unflatten(1, self.out_shape)))


class MaxoutDiscriminator(Discriminator):
    """Input dropout → maxout layers, each after dropout of its input → dropout → one linear unit (the logit).

    Conditional: a label embedding is concatenated to the (dropped-out) input; labels are never dropped.
    With `model.pack` > 1 the input is a group's flattened samples side by side (pack · prod(in_shape) wide).
    `features` returns each maxout layer's output (before the next dropout).
    """

    def __init__(
        self,
        cfg: MLPConfig,
        in_shape: tuple[int, ...],
        num_classes: int = 0,
        point_stats: tuple[Tensor, Tensor] | None = None,
    ) -> None:
        super().__init__(in_shape, num_classes, cfg.pack)
        self.scale = PointScale(in_shape[0], inverse=False) if len(in_shape) == 1 else None
        if self.scale is not None and point_stats is not None:
            self.scale.set_(point_stats)
        self.drop_in = nn.Dropout(cfg.d_drop_input)
        self.embed = nn.Embedding(num_classes, cfg.embed_dim) if self.conditional else None
        width = math.prod(in_shape) * self.pack + (cfg.embed_dim if self.conditional else 0)
        for i, units in enumerate(cfg.d_hidden):
            layer = Maxout(width, units, cfg.maxout_pieces, cfg.d_init_range, cfg)
            self.blocks.append(layer if i == 0 else nn.Sequential(nn.Dropout(cfg.d_drop_hidden), layer))
            width = units
        drop_head = cfg.d_drop_hidden if cfg.d_hidden else 0.0  # the input was already dropped out
        self.head = nn.Sequential(nn.Dropout(drop_head), _linear(width, 1, cfg.d_init_range, cfg))

    def _stem(self, x: Tensor, y: Tensor | None) -> Tensor:
        h = x.flatten(1)
        h = self.drop_in(self.scale(h) if self.scale is not None else h)
        if self.embed is not None and y is not None:
            h = torch.cat([h, self.embed(y).to(h.dtype)], dim=1)
        return h

    def _logit(self, h: Tensor, y: Tensor | None) -> Tensor:
        return self.head(h).squeeze(1)


def build_mlp(
    cfg: MLPConfig,
    data_shape: tuple[int, ...],
    num_classes: int,
    pixel_mean: Tensor | None,
    point_stats: tuple[Tensor, Tensor] | None = None,
) -> tuple[MLPGenerator, MaxoutDiscriminator]:
    images = len(data_shape) == 3
    output = cfg.g_output if cfg.g_output != "auto" else ("sigmoid" if images else "linear")
    k = num_classes if cfg.conditional else 0
    g = MLPGenerator(cfg, data_shape, output, k, pixel_mean, point_stats)
    d = MaxoutDiscriminator(cfg, data_shape, k, point_stats)
    return g, d
