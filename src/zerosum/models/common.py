"""Base classes shared by every architecture: the G/D contract the trainer and the later verbs rely on.

Both networks are a stem (input preparation, label conditioning) followed by `blocks`, a plain `nn.ModuleList`
run in sequence. Conditioning happens only in the stem (G) or in the stem and the logit head (D), so code that
wants intermediate activations (D features as a classifier, "forgetting" windows in G) can run the blocks by
hand: `h = G.forward_features(z, y)[-2]; ...; x = G.blocks[-1](h)`.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from zerosum.errors import ConfigError
from zerosum.models.conditional_norm import run_block
from zerosum.sizes import shape_text

OUTPUT_RANGES: dict[str, tuple[float, float] | None] = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "linear": None}


def output_activation(name: str) -> nn.Module:
    """The module for a resolved `g_output` name (never "auto")."""
    acts: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "linear": nn.Identity}
    return acts[name]()


def check_labels(y: Tensor | None, n: int, num_classes: int, who: str) -> Tensor:
    """Validate class labels of a conditional model (an out-of-range index would be a CUDA device assert)."""
    if y is None:
        raise ConfigError(f"the {who} is conditional: pass class labels y (integers in [0, {num_classes}))")
    if y.dtype.is_floating_point or y.dtype == torch.bool or y.shape != (n,):
        raise ConfigError(f"the {who} expects y as {n} integer labels of shape ({n},), got {tuple(y.shape)} {y.dtype}")
    if n and bool(((y < 0) | (y >= num_classes)).any()):
        raise ConfigError(f"class labels must lie in [0, {num_classes}); got min {int(y.min())} max {int(y.max())}")
    return y.long()


Z_BOUNDS = {"uniform": 1.0, "uniform_unit": math.sqrt(3.0)}  # half-widths of the uniform priors


def z_bound(z_dist: str) -> float | None:
    """The box [−b, b]^nz a uniform prior fills (None for the normal prior, which has no bound)."""
    return Z_BOUNDS.get(z_dist)


def _model_device(module: nn.Module) -> torch.device:
    return next(module.parameters()).device


class Generator(nn.Module):
    """Maps noise z (N×nz) and, when conditional, labels y (N,) to samples of shape N×out_shape.

    Attributes: `nz`, `z_dist`, `conditional`, `num_classes` (0 when unconditional), `out_shape`,
    `output_range` ((0, 1) sigmoid, (-1, 1) tanh, None linear: the range training data must be scaled to),
    `blocks` (the layers after the stem, last one producing the output).
    """

    def __init__(
        self,
        nz: int,
        z_dist: str,
        out_shape: tuple[int, ...],
        output: str,
        num_classes: int = 0,
        embed_dim: int = 0,
        concat_labels: bool = True,
    ) -> None:
        super().__init__()
        self.nz = nz
        self.z_dist = z_dist
        self.out_shape = tuple(out_shape)
        self.output = output
        self.output_range = OUTPUT_RANGES[output]
        self.conditional = num_classes > 0
        self.num_classes = num_classes if self.conditional else 0
        # N(0, 1) like z itself, so the label code and the noise start on the same scale. Without concat_labels
        # the blocks take the labels themselves (class-conditional BatchNorm) and z is the whole input.
        concat = self.conditional and concat_labels
        self.embed = nn.Embedding(num_classes, embed_dim) if concat else None
        self.in_features = nz + (embed_dim if concat else 0)
        self.blocks = nn.ModuleList()

    def _labels(self, z: Tensor, y: Tensor | None) -> Tensor | None:
        """The checked labels of a conditional G; None for an unconditional one, which ignores what it is given,
        so callers may always pass them."""
        return check_labels(y, z.shape[0], self.num_classes, "generator") if self.conditional else None

    def _stem(self, z: Tensor, y: Tensor | None) -> Tensor:
        """(N, nz) or (N, nz, 1, 1) noise plus checked labels → (N, in_features); subclasses reshape further."""
        if z.dim() == 4 and z.shape[2:] == (1, 1):
            z = z.flatten(1)
        if z.dim() != 2 or z.shape[1] != self.nz:
            raise ConfigError(f"z must have shape (N, {self.nz}) for this generator, got {tuple(z.shape)}")
        if self.embed is None:
            return z
        return torch.cat([z, self.embed(y).to(z.dtype)], dim=1)

    def forward_features(self, z: Tensor, y: Tensor | None = None) -> list[Tensor]:
        """The output of every block; the last entry is the sample itself."""
        y = self._labels(z, y)
        h = self._stem(z, y)
        outs = []
        for block in self.blocks:
            h = run_block(block, h, y)
            outs.append(h)
        return outs

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        y = self._labels(z, y)
        h = self._stem(z, y)
        for block in self.blocks:
            h = run_block(block, h, y)
        return h

    def sample_z(
        self, n: int, generator: torch.Generator | None = None, device: torch.device | str | None = None
    ) -> Tensor:
        """Draw n noise vectors (N×nz) from `z_dist`: "normal" N(0, 1), "uniform" U(-1, 1), "uniform_unit"
        U(-√3, √3).

        The draw happens on the generator's device (so a CPU generator gives the same numbers whatever device
        the model is on, which keeps resume exact), then moves to `device` (default: the model's device).
        """
        target = torch.device(device) if device is not None else _model_device(self)
        draw_on = generator.device if generator is not None else target
        if self.z_dist == "normal":
            z = torch.randn(n, self.nz, generator=generator, device=draw_on)
        else:
            z = (torch.rand(n, self.nz, generator=generator, device=draw_on) * 2 - 1) * z_bound(self.z_dist)
        return z.to(target)

    def sample_y(
        self, n: int, generator: torch.Generator | None = None, device: torch.device | str | None = None
    ) -> Tensor | None:
        """Uniform class labels for a conditional model (None when unconditional); same device rules as z."""
        if not self.conditional:
            return None
        target = torch.device(device) if device is not None else _model_device(self)
        draw_on = generator.device if generator is not None else target
        return torch.randint(0, self.num_classes, (n,), generator=generator, device=draw_on).to(target)


class Discriminator(nn.Module):
    """Maps samples (N×in_shape) and, when conditional, labels to logits of shape (N // pack,). Never a sigmoid inside.

    `pack` > 1 is PacGAN (Lin et al. 2018): each logit judges `pack` consecutive samples jointly, which lets D see
    a batch's lack of variety (mode collapse). The grouping happens here, once: a group becomes one input of shape
    (pack·C, H, W) (images stacked along channels) or (pack·D,), so subclasses only size their first layer by
    `pack`. Real and fake batches must be passed in separate calls (or each be a multiple of `pack`) so that no
    group mixes them.

    `features(x, y)` returns the activation after each hidden block (for the "D as feature extractor" protocol),
    one row per group.
    """

    def __init__(self, in_shape: tuple[int, ...], num_classes: int = 0, pack: int = 1) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.conditional = num_classes > 0
        self.num_classes = num_classes if self.conditional else 0
        if pack < 1:
            raise ConfigError(f"model.pack must be at least 1, got {pack}")
        if pack > 1 and self.conditional:
            raise ConfigError("model.pack > 1 (PacGAN) does not support conditional models; set model.pack=1")
        self.pack = pack
        self.blocks = nn.ModuleList()
        self.aux: nn.Module | None = None  # ACGAN's auxiliary classifier on the last block's activation

    @property
    def aux_classes(self) -> int:
        """Classes the auxiliary classifier names (0 without one)."""
        return 0 if self.aux is None else _out_features(self.aux)

    def _check(self, x: Tensor, y: Tensor | None) -> Tensor | None:
        if tuple(x.shape[1:]) != self.in_shape:
            raise ConfigError(
                f"the discriminator expects inputs of {shape_text(self.in_shape)}, got {shape_text(x.shape[1:])}; "
                "train and evaluate on the same data.size and channels"
            )
        return check_labels(y, x.shape[0], self.num_classes, "discriminator") if self.conditional else None

    def _pack(self, x: Tensor) -> Tensor:
        """(N, C, ...) → (N // pack, pack·C, ...): members side by side on the first per-sample axis."""
        if self.pack == 1:
            return x
        n = x.shape[0]
        if n % self.pack:
            raise ConfigError(f"the discriminator got {n} samples, not a multiple of model.pack={self.pack}")
        packed = x.reshape(n // self.pack, self.pack * self.in_shape[0], *self.in_shape[1:])
        if x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last):  # keep NHWC for the conv kernels
            packed = packed.contiguous(memory_format=torch.channels_last)
        return packed

    def _stem(self, x: Tensor, y: Tensor | None) -> Tensor:
        """Input preparation before the first block (flattening, dropout, label concatenation); x is packed."""
        return x

    def _logit(self, h: Tensor, y: Tensor | None) -> Tensor:
        """Last block's activation → logits (N // pack,)."""
        raise NotImplementedError

    def features(self, x: Tensor, y: Tensor | None = None) -> list[Tensor]:
        y = self._check(x, y)
        h = self._stem(self._pack(x), y)
        outs = []
        for block in self.blocks:
            h = block(h)
            outs.append(h)
        return outs

    def _hidden(self, x: Tensor, y: Tensor | None) -> tuple[Tensor, Tensor | None]:
        y = self._check(x, y)
        h = self._stem(self._pack(x), y)
        for block in self.blocks:
            h = block(h)
        return h, y

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        h, y = self._hidden(x, y)
        return self._logit(h, y)

    def forward_with_classes(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """The logits and the auxiliary classifier's class logits (N×K), from one pass through the blocks."""
        if self.aux is None:
            raise ConfigError("this discriminator has no auxiliary classifier; train with model.aux_weight > 0")
        h, y = self._hidden(x, y)
        return self._logit(h, y), self.aux(h).flatten(1)


def _out_features(layer: nn.Module) -> int:
    return layer.out_channels if isinstance(layer, nn.Conv2d) else layer.out_features


def logit(p: Tensor, eps: float = 1e-3) -> Tensor:
    """log(p / (1 - p)) with p clamped to [eps, 1 - eps], so all-black or all-white pixels stay finite."""
    p = p.clamp(eps, 1 - eps)
    return torch.log(p) - torch.log1p(-p)


def is_power_of_two(n: int) -> bool:
    return n > 0 and 2 ** round(math.log2(n)) == n
