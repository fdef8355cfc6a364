"""Hole PSNR and SSIM against closed forms."""

from __future__ import annotations

import math

import pytest
import torch

from zerosum.completion.masks import make_mask
from zerosum.completion.quality import PSNR_CAP, hole_psnr, hole_ssim, mean_std, ssim_map


def _images(n: int = 3, c: int = 1, size: int = 16) -> torch.Tensor:
    return torch.rand(n, c, size, size, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_identical_images_have_capped_psnr_and_ssim_one() -> None:
    x = _images(c=3)
    known = make_mask("center", 16, 3)
    assert torch.equal(hole_psnr(x, x, known), torch.full((3,), PSNR_CAP))
    assert torch.allclose(hole_ssim(x, x, known), torch.ones(3), atol=1e-6)


def test_psnr_of_a_known_offset_in_the_hole_only() -> None:
    x = _images()
    known = make_mask("center", 16, 3)
    y = torch.where(known, x + 0.7, x + 0.25)  # error 0.25 in the hole; the known pixels' error must not count
    expected = 10 * math.log10(2.0**2 / 0.25**2)
    assert hole_psnr(y, x, known).tolist() == pytest.approx([expected] * 3, abs=1e-4)
    z = torch.where(known, x, x + 0.1 * 255 / 255)
    assert hole_psnr(z * 0.5 + 0.5, x * 0.5 + 0.5, known, (0.0, 1.0))[0].item() == pytest.approx(
        10 * math.log10(1 / 0.05**2), abs=1e-4
    )


def test_ssim_drops_for_noise_and_ignores_known_pixel_damage_far_away() -> None:
    x = _images(n=1, size=32)
    known = make_mask("center", 32, 1)
    noisy = x + 0.5 * torch.randn(x.shape, generator=torch.Generator().manual_seed(1))
    assert hole_ssim(noisy, x, known).item() < 0.6
    far = x.clone()
    far[..., 0, 0] += 1.0  # a corner pixel, farther than the window reaches into the hole
    assert hole_ssim(far, x, known).item() == pytest.approx(1.0, abs=1e-6)
    assert ssim_map(x, x).shape == x.shape


def test_no_hole_gives_nan_and_mean_std_skips_it() -> None:
    x = _images(n=1)
    full = torch.ones(1, 1, 16, 16, dtype=torch.bool)
    assert math.isnan(hole_psnr(x, x, full).item()) and math.isnan(hole_ssim(x, x, full).item())
    assert mean_std([1.0, 3.0, float("nan")]) == (2.0, 1.0)
