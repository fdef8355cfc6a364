"""Minibatch indices drawn without replacement from seeded epoch permutations.

The whole dataset lives in memory as a tensor, so a batch is an index tensor: no DataLoader, no per-item Python.
The sampler's state (generator, permutation, position) goes into every checkpoint, so a resumed run sees exactly
the batches the uninterrupted run would have seen.
"""

from __future__ import annotations

from typing import Any

import torch

from zerosum.errors import ConfigError


def check_batch_fits(batch_size: int, n: int) -> None:
    """Batches never repeat an item, so one must fit in the data; `build_state` checks this before the run
    directory is created, so the error leaves nothing behind."""
    if batch_size > n:
        raise ConfigError(
            f"train.batch_size={batch_size} exceeds the dataset size {n}; lower it with --set train.batch_size"
        )


class IndexSampler:
    """Yields global batches of indices; each epoch is a fresh permutation, the tail that does not fill a batch is
    dropped (as DataLoader(drop_last=True) would) so every batch has the same size."""

    def __init__(self, n: int, seed: int) -> None:
        if n < 1:
            raise ConfigError("the dataset is empty; check data.name, data.split and data.limit")
        self.n = n
        self.generator = torch.Generator().manual_seed(seed)
        self.perm = torch.empty(0, dtype=torch.int64)
        self.pos = 0
        self.epoch = 0  # number of permutations started
        self.batches = 0

    def next(self, batch_size: int) -> torch.Tensor:
        check_batch_fits(batch_size, self.n)
        if self.pos + batch_size > len(self.perm):
            self.perm = torch.randperm(self.n, generator=self.generator)
            self.pos = 0
            self.epoch += 1
        idx = self.perm[self.pos : self.pos + batch_size]
        self.pos += batch_size
        self.batches += 1
        return idx

    def state_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator.get_state(),
            "perm": self.perm.clone(),
            "pos": self.pos,
            "epoch": self.epoch,
            "batches": self.batches,
            "n": self.n,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if int(state["n"]) != self.n:
            raise ConfigError(
                f"the checkpoint was trained on {state['n']} items but the dataset now has {self.n}; "
                "resume with the same data settings"
            )
        self.generator.set_state(state["generator"])
        self.perm = state["perm"].clone()
        self.pos = int(state["pos"])
        self.epoch = int(state["epoch"])
        self.batches = int(state["batches"])
