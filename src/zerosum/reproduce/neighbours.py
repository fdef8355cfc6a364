"""Nearest neighbours in pixel space: does a generator show us new images, or copies of its training set?

Shared by the experiments that look for memorisation (sample next to its closest training images, distance
ratios). Both sets are cut into chunks and the k best are carried across reference chunks, so memory stays
O(batch_size²) however many images there are.
"""

from __future__ import annotations

import torch
from torch import Tensor

from zerosum.errors import ConfigError


def _flat(t: Tensor, name: str) -> Tensor:
    if not isinstance(t, Tensor) or t.dim() < 2 or t.shape[0] == 0:
        shape = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
        raise ConfigError(f"nearest: {name} must be a non-empty N×... tensor, got {shape}")
    return t.reshape(t.shape[0], -1)


def nearest(
    queries: Tensor,
    references: Tensor,
    k: int = 1,
    *,
    exclude_self: bool = False,
    batch_size: int = 1024,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    """The `k` references closest to each query in L2 (images are flattened): (distances, indices), each M×k, nearest
    first.

    `exclude_self=True` means queries and references are the same set and a query may not be its own neighbour
    (the train-to-train distances a memorisation score compares against); a duplicate image still counts.
    """
    q, r = _flat(queries, "queries"), _flat(references, "references")
    if q.shape[1] != r.shape[1]:
        raise ConfigError(f"nearest: queries have {q.shape[1]} values each but references {r.shape[1]}; same shape")
    if exclude_self and q.shape[0] != r.shape[0]:
        raise ConfigError("nearest: exclude_self needs the queries to be the references themselves")
    available = r.shape[0] - int(exclude_self)
    if not 1 <= k <= available:
        raise ConfigError(f"nearest: k={k} but there are {available} candidate references; use 1 ≤ k ≤ {available}")
    q, r = q.to(dtype), r.to(dtype)
    dists = torch.empty(q.shape[0], k, dtype=dtype)
    index = torch.empty(q.shape[0], k, dtype=torch.int64)
    for q0 in range(0, q.shape[0], batch_size):
        qb = q[q0 : q0 + batch_size]
        best_d = torch.full((qb.shape[0], 0), float("inf"), dtype=dtype)
        best_i = torch.empty((qb.shape[0], 0), dtype=torch.int64)
        for r0 in range(0, r.shape[0], batch_size):
            d = torch.cdist(qb, r[r0 : r0 + batch_size])
            ids = torch.arange(r0, r0 + d.shape[1]).expand_as(d)
            if exclude_self:
                own = torch.arange(q0, q0 + qb.shape[0])[:, None] == ids
                d = d.masked_fill(own, float("inf"))
            best_d, pick = torch.cat([best_d, d], 1).topk(min(k, best_d.shape[1] + d.shape[1]), dim=1, largest=False)
            best_i = torch.cat([best_i, ids], 1).gather(1, pick)
        dists[q0 : q0 + batch_size], index[q0 : q0 + batch_size] = best_d, best_i
    return dists, index
