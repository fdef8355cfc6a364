"""Poisson and feathered blending against their defining properties."""

from __future__ import annotations

import pytest
import torch

from zerosum.completion.blend import blend, feather_blend, hole_distance, paste, poisson_blend
from zerosum.completion.masks import make_mask
from zerosum.errors import ConfigError


def _target(n: int = 2, c: int = 3, size: int = 20) -> torch.Tensor:
    return torch.rand(n, c, size, size, generator=torch.Generator().manual_seed(0)) * 2 - 1


@pytest.mark.parametrize("mask", ["center", "left", "random", "lowres"])
def test_poisson_with_the_exact_image_as_source_reproduces_it(mask: str) -> None:
    t = _target()
    known = make_mask(mask, 20, 2)
    assert torch.allclose(poisson_blend(t, t, known), t, atol=1e-6)


def test_poisson_removes_a_constant_offset_and_keeps_known_pixels() -> None:
    t = _target()
    known = make_mask("center", 20, 2)
    out = poisson_blend(t + 0.4, t, known)  # same gradients, wrong brightness
    assert torch.allclose(out, t, atol=1e-4)
    assert torch.equal(out[known.expand_as(t)], t[known.expand_as(t)])


def test_poisson_solves_the_discrete_equation() -> None:
    t = _target(n=1, c=1)
    s = _target(n=1, c=1).flip(-1)
    known = make_mask("center", 20, 1)
    f = poisson_blend(s, t, known, tol=1e-10)

    def lap(x: torch.Tensor) -> torch.Tensor:
        return 4 * x[..., 1:-1, 1:-1] - x[..., :-2, 1:-1] - x[..., 2:, 1:-1] - x[..., 1:-1, :-2] - x[..., 1:-1, 2:]

    hole = ~known[..., 1:-1, 1:-1]
    assert torch.allclose(lap(f)[hole], lap(s)[hole], atol=1e-4)


def test_poisson_of_a_flat_source_interpolates_the_boundary() -> None:
    """A flat source has no gradients, so the fill is the harmonic interpolation of the hole's boundary: it stays
    within the boundary's range (maximum principle) and a linear ramp is reproduced exactly."""
    ramp = torch.linspace(-1, 1, 20).view(1, 1, 1, 20).expand(1, 1, 20, 20)
    known = make_mask("center", 20, 1)
    f = poisson_blend(torch.zeros_like(ramp), ramp, known, tol=1e-10)
    inside = f[..., 5:15, 5:15]
    assert torch.allclose(inside, ramp[..., 5:15, 5:15], atol=1e-4)
    t = _target(n=1, c=1)
    g = poisson_blend(torch.full_like(t, 3.0), t, known)
    ring = t[..., 4:16, 4:16][known[..., 4:16, 4:16]]  # the known pixels touching the hole
    assert g[..., 5:15, 5:15].min() >= ring.min() - 1e-5 and g[..., 5:15, 5:15].max() <= ring.max() + 1e-5


def test_feather_equals_source_in_hole_and_target_far_away() -> None:
    t = _target()
    s = -t
    known = make_mask("center", 20, 2)
    out = feather_blend(s, t, known, radius=3)
    hole = (~known).expand_as(t)
    assert torch.equal(out[hole], s[hole])
    far = (hole_distance(known, 3) > 3).expand_as(t)
    assert torch.equal(out[far], t[far])
    band = out[..., 10, 3]  # 2 pixels left of the hole (columns 5..14): alpha = 1 - 2/4
    assert torch.allclose(band, 0.5 * s[..., 10, 3] + 0.5 * t[..., 10, 3])


def test_hole_distance_is_chessboard() -> None:
    known = torch.ones(1, 1, 9, 9, dtype=torch.bool)
    known[0, 0, 4, 4] = False
    d = hole_distance(known, 3)[0, 0]
    assert d[4, 4] == 0 and d[3, 3] == 1 and d[4, 6] == 2 and d[4, 7] == 3 and d[0, 0] == 4


def test_blend_dispatch_paste_and_clamp() -> None:
    t = _target()
    known = make_mask("center", 20, 2)
    s = t + 5
    assert torch.equal(blend(s, t, known, "none"), paste(s, t, known))
    assert blend(s, t, known, "none", (-1.0, 1.0)).max() <= 1.0
    with pytest.raises(ConfigError, match="choose one of"):
        blend(s, t, known, "alpha")
