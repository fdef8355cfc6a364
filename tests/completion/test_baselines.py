"""Mean-colour fill and OpenCV Telea."""

from __future__ import annotations

import pytest
import torch

from zerosum.completion.baselines import mean_fill, telea_fill
from zerosum.completion.masks import make_mask


def test_mean_fill_paints_the_exact_mean_of_known_pixels_per_channel() -> None:
    x = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    known = make_mask("left", 8, 2)
    out = mean_fill(x, known)
    hole = ~known[:, 0]
    for i in range(2):
        for c in range(3):
            expected = x[i, c][~hole[i]].mean()
            assert torch.allclose(out[i, c][hole[i]], expected.expand(int(hole[i].sum())))
            assert torch.equal(out[i, c][~hole[i]], x[i, c][~hole[i]])


def test_telea_fills_a_flat_image_flat_and_keeps_known_pixels() -> None:
    pytest.importorskip("cv2")
    x = torch.full((2, 1, 16, 16), 0.2)
    x[1] = torch.linspace(-1, 1, 16).view(1, 1, 16).expand(1, 16, 16)  # a horizontal ramp
    known = make_mask("center", 16, 2)
    out = telea_fill(x, known)
    assert out.shape == x.shape
    assert torch.equal(out[known.expand_as(x)], x[known.expand_as(x)])
    assert torch.allclose(out[0], torch.full_like(out[0], 0.2), atol=4 / 255)  # OpenCV fixed-point: ±2 uint8 levels
    hole_row = out[1, 0, 8, 4:12]  # the ramp continues through the hole, increasing left to right
    assert (hole_row[1:] >= hole_row[:-1] - 1e-6).all() and hole_row[-1] > hole_row[0]


def test_telea_rgb() -> None:
    pytest.importorskip("cv2")
    x = torch.zeros(1, 3, 12, 12)
    x[:, 0] = 0.5
    out = telea_fill(x, make_mask("center", 12))
    assert torch.allclose(out[0, 0], torch.full((12, 12), 0.5), atol=4 / 255)
    assert torch.allclose(out[0, 1:], torch.zeros(2, 12, 12), atol=4 / 255)
