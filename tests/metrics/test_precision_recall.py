"""Improved precision/recall against hand-computed cases and a brute-force reference."""

from __future__ import annotations

import pytest
import torch

from zerosum.errors import ConfigError
from zerosum.metrics.precision_recall import knn_radii, manifold_coverage, precision_recall


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _brute(real: torch.Tensor, fake: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Reference straight from the definition: explicit differences, per-point loops, float64."""

    def radii(x: torch.Tensor) -> torch.Tensor:
        out = []
        for i in range(len(x)):
            others = torch.cat([x[:i], x[i + 1 :]])
            out.append(sorted(((others - x[i]) ** 2).sum(1).sqrt().tolist())[k - 1])
        return torch.tensor(out, dtype=torch.float64)

    def inside(q: torch.Tensor, ref: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        return torch.tensor([bool((((ref - p) ** 2).sum(1).sqrt() <= r).any()) for p in q])

    return inside(fake, real, radii(real)), inside(real, fake, radii(fake))


def test_knn_radii_on_a_line_excludes_the_point_itself() -> None:
    x = torch.arange(10, dtype=torch.float64).unsqueeze(1)  # 0, 1, ..., 9
    r = knn_radii(x, k=3)
    # End points reach their 3rd neighbour at distance 3, inner points (two neighbours per side at 1, 2) at 2.
    expected = torch.tensor([3, 2, 2, 2, 2, 2, 2, 2, 2, 3], dtype=torch.float64)
    torch.testing.assert_close(r, expected)
    torch.testing.assert_close(knn_radii(x, k=1), torch.ones(10, dtype=torch.float64))


def test_identical_sets_give_precision_and_recall_one() -> None:
    x = torch.randn(300, 16, generator=_gen(0))
    assert precision_recall(x, x.clone()) == {"precision": 1.0, "recall": 1.0}


def test_fake_collapsed_onto_one_real_point() -> None:
    # Distinct integer points, so every distance is exact in floating point.
    real = torch.randperm(1000, generator=_gen(1))[:200].double().unsqueeze(1) * torch.tensor([[1.0, 2.0, -1.0]])
    fake = real[7].repeat(50, 1)
    out = precision_recall(real, fake, k=3)
    # Every fake sits on real[7] (distance 0 <= its radius); the fake manifold is that one point with radius 0,
    # which holds exactly one real sample.
    assert out["precision"] == 1.0
    assert out["recall"] == pytest.approx(1 / 200, abs=0)


def test_far_apart_sets_give_zero() -> None:
    real = torch.randn(200, 8, generator=_gen(2))
    fake = torch.randn(150, 8, generator=_gen(3)) + 100.0
    assert precision_recall(real, fake) == {"precision": 0.0, "recall": 0.0}


def test_partial_overlap_is_between_zero_and_one_and_asymmetric() -> None:
    real = torch.randn(400, 4, generator=_gen(4))
    fake = torch.randn(400, 4, generator=_gen(5)) * 0.3  # concentrated inside the real support: mode dropping
    out = precision_recall(real, fake)
    assert out["precision"] > 0.9
    assert out["recall"] < 0.6


def test_batch_size_does_not_change_anything() -> None:
    real = torch.randn(257, 10, generator=_gen(6))
    fake = torch.randn(191, 10, generator=_gen(7)) * 1.2 + 0.3
    torch.testing.assert_close(knn_radii(real, batch_size=7), knn_radii(real, batch_size=1000))
    assert precision_recall(real, fake, batch_size=13) == precision_recall(real, fake, batch_size=1000)
    assert precision_recall(real, fake, batch_size=1) == precision_recall(real, fake, batch_size=500)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matches_brute_force_reference(k: int) -> None:
    real = torch.randn(60, 5, generator=_gen(8), dtype=torch.float64)
    fake = torch.randn(45, 5, generator=_gen(9), dtype=torch.float64) * 1.5 + 0.5
    prec_mask, rec_mask = _brute(real, fake, k)
    assert 0 < int(prec_mask.sum()) < len(fake)  # the case is not trivial
    assert torch.equal(manifold_coverage(fake, real, knn_radii(real, k=k), batch_size=8), prec_mask)
    assert torch.equal(manifold_coverage(real, fake, knn_radii(fake, k=k), batch_size=8), rec_mask)
    out = precision_recall(real, fake, k=k, batch_size=16)
    assert out["precision"] == pytest.approx(prec_mask.double().mean().item(), abs=1e-12)
    assert out["recall"] == pytest.approx(rec_mask.double().mean().item(), abs=1e-12)


def test_integer_features_are_accepted() -> None:
    x = torch.randint(0, 50, (40, 3), generator=_gen(10))
    out = precision_recall(x, x)
    assert out == {"precision": 1.0, "recall": 1.0}


@pytest.mark.parametrize(
    ("real", "fake", "k", "match"),
    [
        (torch.zeros(10), torch.zeros(10, 1), 3, "2-D"),
        (torch.randn(10, 3), torch.randn(10, 4), 3, "same feature extractor"),
        (torch.randn(3, 2), torch.randn(10, 2), 3, "more than k=3"),
        (torch.randn(10, 2), torch.randn(4, 2), 4, "more than k=4"),
        (torch.randn(10, 2), torch.randn(10, 2), 0, "k must be >= 1"),
        (torch.full((10, 2), float("nan")), torch.randn(10, 2), 3, "NaN"),
    ],
)
def test_bad_inputs_raise_one_line_config_errors(real, fake, k, match) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        precision_recall(real, fake, k=k)
    assert "\n" not in str(info.value)


def test_coverage_and_radii_validation() -> None:
    with pytest.raises(ConfigError, match="one entry per reference row"):
        manifold_coverage(torch.randn(5, 2), torch.randn(6, 2), torch.ones(5))
    with pytest.raises(ConfigError, match="batch_size"):
        knn_radii(torch.randn(10, 2), batch_size=0)
    with pytest.raises(ConfigError, match="more than k=3"):
        knn_radii(torch.randn(3, 2))
