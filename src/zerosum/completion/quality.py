"""How close a completed hole is to the truth: PSNR and SSIM measured on the hole only.

The known pixels are copied from the original by every method, so scoring whole images would mostly measure the
hole's size; both scores here look at the hole alone.

- `hole_psnr`: 10·log10(range² / MSE) with the MSE over the hole's pixels (all channels). A perfect fill has
  MSE 0 and infinite PSNR; the value is capped at `PSNR_CAP` dB so that means and standard deviations over a test
  set stay finite (a capped value means "exact to within float rounding").
- `hole_ssim`: the usual SSIM map (Wang et al. 2004: 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03) computed
  on the FULL images (windows near the hole see real context, as they would in a picture), with reflect padding
  so the map has one value per pixel, then averaged over the hole's pixels and the channels.

Images are float N×C×H×W in a known `value_range` (e.g. (−1, 1)); `known` is bool N×1×H×W, True = known pixel.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

PSNR_CAP = 100.0


def hole_psnr(
    pred: torch.Tensor, target: torch.Tensor, known: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> torch.Tensor:
    """PSNR in dB per image over the hole pixels, capped at PSNR_CAP; NaN for an image without a hole."""
    hole = (~known).to(pred.dtype).expand_as(pred)
    count = hole.flatten(1).sum(dim=1)
    mse = (hole * (pred.double() - target.double()) ** 2).flatten(1).sum(dim=1) / count.double().clamp(min=1)
    span = float(value_range[1] - value_range[0])
    psnr = 10.0 * torch.log10(span**2 / mse.clamp(min=1e-300))
    psnr = psnr.clamp(max=PSNR_CAP).to(torch.float32)
    return torch.where(count > 0, psnr, torch.full_like(psnr, float("nan")))


def _gaussian_window(size: int, sigma: float, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    x = torch.arange(size, device=device, dtype=dtype) - (size - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).view(1, 1, size, size)


def ssim_map(
    a: torch.Tensor,
    b: torch.Tensor,
    value_range: tuple[float, float] = (-1.0, 1.0),
    window: int = 11,
    sigma: float = 1.5,
) -> torch.Tensor:
    """Per-pixel SSIM (N×C×H×W) with a Gaussian window and reflect padding; identical images give exactly 1."""
    n, c, h, w = a.shape
    span = float(value_range[1] - value_range[0])
    c1, c2 = (0.01 * span) ** 2, (0.03 * span) ** 2
    win = min(window, 2 * ((min(h, w) - 1) // 2) + 1)  # reflect padding needs the window to fit
    kernel = _gaussian_window(win, sigma, a.device, torch.float64)
    pad = win // 2

    def smooth(x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x.reshape(n * c, 1, h, w), (pad, pad, pad, pad), mode="reflect")
        return F.conv2d(x, kernel).view(n, c, h, w)

    a, b = a.double(), b.double()
    mu_a, mu_b = smooth(a), smooth(b)
    var_a = smooth(a * a) - mu_a**2
    var_b = smooth(b * b) - mu_b**2
    cov = smooth(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return (num / den).to(torch.float32)


def hole_ssim(
    pred: torch.Tensor, target: torch.Tensor, known: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> torch.Tensor:
    """Mean SSIM per image over the hole's pixels (map computed on the full images); NaN without a hole."""
    hole = (~known).to(torch.float32).expand_as(pred)
    m = ssim_map(pred, target, value_range)
    count = hole.flatten(1).sum(dim=1)
    score = (m * hole).flatten(1).sum(dim=1) / count.clamp(min=1)
    return torch.where(count > 0, score, torch.full_like(score, float("nan")))


def mean_std(values: torch.Tensor | list[float]) -> tuple[float, float]:
    """Mean and (population) standard deviation, ignoring NaNs; (nan, nan) when nothing is left."""
    v = torch.as_tensor(values, dtype=torch.float64)
    v = v[~torch.isnan(v)]
    if v.numel() == 0:
        return math.nan, math.nan
    return float(v.mean()), float(v.std(unbiased=False))


__all__ = ["PSNR_CAP", "hole_psnr", "hole_ssim", "mean_std", "ssim_map"]
