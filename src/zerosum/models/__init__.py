"""Generator and discriminator architectures, built from a `ModelConfig` and the data's sample shape.

`build_models(cfg, data_shape, num_classes, pixel_mean)` is the only entry point the rest of the package needs;
the returned modules follow the contract in `zerosum.models.common` (G: `sample_z`, `forward(z, y)`,
`forward_features`, `blocks`; D: logits (N // pack,), `features(x, y)`, `blocks`), or for the image-to-image
families that of `zerosum.models.translator` (G: `forward(x)` from `input_shape`; D: `forward(x, cond)`).
"""

from __future__ import annotations

import torch

from zerosum.config import ModelConfig
from zerosum.errors import ConfigError
from zerosum.models.common import Discriminator, Generator
from zerosum.models.dcgan import DCGANDiscriminator, DCGANGenerator, build_dcgan
from zerosum.models.mlp import MaxoutDiscriminator, MLPGenerator, build_mlp
from zerosum.models.pix2pix import PatchDiscriminator, UNetGenerator, build_pix2pix
from zerosum.models.semisupervised import (
    SemiSupervisedDiscriminator,
    SemiSupervisedGenerator,
    build_semisupervised,
)
from zerosum.models.srgan import SRDiscriminator, SRResNet, build_srgan
from zerosum.models.translator import PairDiscriminator, Translator

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "Discriminator",
    "Generator",
    "MLPGenerator",
    "MaxoutDiscriminator",
    "PairDiscriminator",
    "PatchDiscriminator",
    "SRDiscriminator",
    "SRResNet",
    "SemiSupervisedDiscriminator",
    "SemiSupervisedGenerator",
    "Translator",
    "UNetGenerator",
    "build_models",
]


def build_models(
    cfg: ModelConfig,
    data_shape: tuple[int, ...],
    num_classes: int = 0,
    pixel_mean: torch.Tensor | None = None,
    point_stats: tuple[torch.Tensor, torch.Tensor] | None = None,
    input_shape: tuple[int, ...] | None = None,
) -> tuple[Generator | Translator, Discriminator | PairDiscriminator]:
    """Build (G, D) for samples of `data_shape`: (C, H, W) images or (D,) points; for a translator, G's outputs,
    with its inputs of `input_shape`.

    `num_classes` must be > 0 for conditional models. `pixel_mean` (the data's mean in [0, 1] units: one value,
    one per channel or one per pixel) sets the MLP generator's sigmoid/tanh output bias; DCGAN ignores it.
    `point_stats` (per-coordinate mean and std of point data) sets the MLP models' standardisation buffers.
    Unsupported combinations raise `ConfigError` with the fix.
    """
    data_shape = tuple(int(s) for s in data_shape)
    if cfg.translates:
        if input_shape is None or len(input_shape) != 3 or len(data_shape) != 3:
            raise ConfigError(f"model.arch={cfg.arch} maps images to images: it needs image pairs (data.pairs)")
        build = build_srgan if cfg.arch == "srgan" else build_pix2pix
        return build(cfg, tuple(int(s) for s in input_shape), data_shape)
    if len(data_shape) not in (1, 3) or any(s < 1 for s in data_shape):
        raise ConfigError(f"samples must have shape (C, H, W) or (D,), got {data_shape}; check the dataset")
    if cfg.conditional and num_classes < 1:
        raise ConfigError(
            "model.conditional needs a labelled dataset (num_classes > 0): use labelled data or "
            "set model.conditional=false"
        )
    if cfg.arch == "mlp":
        return build_mlp(cfg, data_shape, num_classes, pixel_mean, point_stats)
    if cfg.arch == "dcgan":
        return build_dcgan(cfg, data_shape, num_classes)
    if cfg.arch == "ssgan":
        return build_semisupervised(cfg, data_shape, num_classes)
    raise ConfigError(f"unknown model.arch {cfg.arch!r}: use dcgan, mlp, ssgan, pix2pix or srgan")
