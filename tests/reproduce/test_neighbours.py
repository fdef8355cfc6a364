"""nearest(): L2 nearest neighbours in chunks, checked against a brute-force float64 computation."""

from __future__ import annotations

import pytest
import torch

from zerosum.errors import ConfigError
from zerosum.reproduce.neighbours import nearest


def _brute(q: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    q, r = q.reshape(len(q), -1).double(), r.reshape(len(r), -1).double()
    return ((q[:, None] - r[None]) ** 2).sum(-1).sqrt()


def test_nearest_matches_brute_force_across_chunks():
    gen = torch.Generator().manual_seed(0)
    q, r = torch.rand(37, 1, 5, 5, generator=gen), torch.rand(53, 1, 5, 5, generator=gen)
    dist, idx = nearest(q, r, k=4, batch_size=8)  # several query and reference chunks
    full = _brute(q, r)
    want_d, want_i = full.topk(4, dim=1, largest=False)
    assert torch.equal(idx, want_i)
    assert torch.allclose(dist.double(), want_d, atol=1e-5)
    assert torch.allclose(full.gather(1, idx), dist.double(), atol=1e-5)  # distances belong to the indices


def test_nearest_excludes_self_but_keeps_duplicates():
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(20, 6, generator=gen)
    x[7] = x[3]  # a duplicate: its nearest other image is at distance 0
    dist, idx = nearest(x, x, k=2, exclude_self=True, batch_size=6, dtype=torch.float64)
    full = _brute(x, x).fill_diagonal_(float("inf"))
    want_d, want_i = full.topk(2, dim=1, largest=False)
    assert torch.allclose(dist, want_d) and torch.equal(idx[:, 0], want_i[:, 0])
    assert (idx != torch.arange(20)[:, None]).all()
    assert idx[3, 0] == 7 and idx[7, 0] == 3 and dist[3, 0] == 0


def test_nearest_refuses_bad_input():
    with pytest.raises(ConfigError, match="same shape"):
        nearest(torch.rand(3, 4), torch.rand(3, 5))
    with pytest.raises(ConfigError, match="k=3"):
        nearest(torch.rand(3, 4), torch.rand(3, 4), k=3, exclude_self=True)
    with pytest.raises(ConfigError, match="exclude_self"):
        nearest(torch.rand(2, 4), torch.rand(3, 4), exclude_self=True)
