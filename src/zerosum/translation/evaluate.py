"""A translator run on its held-out pairs: what the image-to-image metrics read (`metrics.translation`).

`translate_pairs` runs G over the test pairs in batches, in eval mode and without gradients; with
`model.test_dropout` the dropout masks come from a seeded RNG, so a record is reproducible. Everything is kept in
[0, 1] (masks as one-hot maps), the form the metrics take.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.translation.pairs import PairSet, bicubic_upscale, from_range, load_pairs

BATCH = 64


@dataclass
class Translations:
    """Inputs, G's outputs and the targets of a set of pairs, all N×C×H×W in [0, 1]."""

    task: str
    inputs: Tensor
    outputs: Tensor
    targets: Tensor
    factor: int = 1
    mask_classes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def bicubic(self) -> Tensor:
        """The bicubic upscaling of the inputs: the baseline of every SR table."""
        if self.task != "upscale":
            raise ConfigError(f"bicubic is the upscaling baseline; these pairs are {self.task}")
        return bicubic_upscale(self.inputs, self.factor)


def check_translator(run, what: str) -> None:
    """One line when `run` is not an image-to-image run (what = the verb or metric asking)."""
    if not run.config.model.translates:
        raise ConfigError(
            f"{what} needs an image-to-image run (model.arch pix2pix or srgan); {run.path} is a GAN "
            f"(model.arch={run.config.model.arch}): use `zerosum sample` for it"
        )


@torch.inference_mode()
def run_translator(run, inputs: Tensor, seed: int = 0) -> Tensor:
    """G's outputs (in G's range) for inputs in G's range, batched on the run's device, back on the CPU."""
    G = run.generator
    outs = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # the test-time dropout's masks
        for chunk in inputs.split(BATCH):
            outs.append(G(chunk.to(run.device), None).float().cpu())
    return torch.cat(outs) if outs else inputs.new_empty(0)


def translate_pairs(run, data: PairSet | None = None, limit: int | None = None, seed: int = 0) -> Translations:
    """`run` applied to its held-out test pairs (or to `data`), the first `limit` of them when given."""
    check_translator(run, "this measurement")
    data = data if data is not None else load_pairs(run.config.data, "test")
    n = len(data) if limit is None else min(limit, len(data))
    value_range = run.G.output_range
    inputs, targets = data.batch(torch.arange(n), value_range, generator=torch.Generator().manual_seed(seed))
    outputs = run_translator(run, inputs, seed)
    pairs = data.pairs
    return Translations(
        task=pairs.task,
        inputs=from_range(inputs, value_range),
        outputs=from_range(outputs, value_range),
        targets=from_range(targets, value_range),
        factor=pairs.factor if pairs.task == "upscale" else 1,
        mask_classes=tuple(data.mask_classes),
    )
