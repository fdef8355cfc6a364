"""PSNR and SSIM as super-resolution papers compute them, so the numbers sit beside theirs.

Protocol (the one of SRCNN, SRResNet/SRGAN and their successors): both images are quantised to 8 bits; RGB images
are compared on their luminance Y of BT.601 in studio range (MATLAB's `rgb2ycbcr`: Y = 16 + 65.481 R + 128.553 G +
24.966 B for R, G, B in [0, 1]), grey images on their grey level as it is; a border of `crop` pixels (the scale
factor) is dropped on every side; PSNR = 10 log10(255² / MSE) per image, then averaged over images; SSIM (Wang et
al. 2004) with an 11×11 Gaussian window of σ 1.5, K1 = 0.01, K2 = 0.03, L = 255, over the valid positions only.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

Y_WEIGHTS = (65.481, 128.553, 24.966)
SSIM_WINDOW, SSIM_SIGMA, SSIM_K = 11, 1.5, (0.01, 0.03)


def luminance(x01: Tensor) -> Tensor:
    """N×C×H×W in [0, 1] → N×H×W in 8-bit levels (0-255), quantised: BT.601 Y for RGB, the grey level for grey."""
    x = (x01.float().clamp(0, 1) * 255).round() / 255
    if x.shape[1] == 3:
        w = torch.tensor(Y_WEIGHTS, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
        y = 16.0 + (x * w).sum(1)
    else:
        y = x[:, 0] * 255
    return y


def _crop(y: Tensor, border: int) -> Tensor:
    return y[..., border : y.shape[-2] - border, border : y.shape[-1] - border] if border > 0 else y


def psnr(a01: Tensor, b01: Tensor, crop: int = 0) -> Tensor:
    """Per-image PSNR (dB, N values) of two N×C×H×W batches in [0, 1]; identical images give +inf."""
    ya, yb = _crop(luminance(a01), crop), _crop(luminance(b01), crop)
    mse = (ya.double() - yb.double()).pow(2).flatten(1).mean(1)
    return torch.where(mse > 0, 10 * torch.log10(255.0**2 / mse.clamp(min=1e-30)), torch.full_like(mse, math.inf))


def _gaussian_window(device: torch.device) -> Tensor:
    t = torch.arange(SSIM_WINDOW, dtype=torch.float64, device=device) - (SSIM_WINDOW - 1) / 2
    g = torch.exp(-(t**2) / (2 * SSIM_SIGMA**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).view(1, 1, SSIM_WINDOW, SSIM_WINDOW)


def ssim(a01: Tensor, b01: Tensor, crop: int = 0) -> Tensor:
    """Per-image SSIM (N values) of two N×C×H×W batches in [0, 1], on Y as the module docstring says."""
    ya, yb = _crop(luminance(a01), crop).double(), _crop(luminance(b01), crop).double()
    if min(ya.shape[-2:]) < SSIM_WINDOW:
        raise ValueError(f"SSIM needs images of at least {SSIM_WINDOW}×{SSIM_WINDOW} after the crop")
    w = _gaussian_window(ya.device)
    a, b = ya.unsqueeze(1), yb.unsqueeze(1)
    mu_a, mu_b = F.conv2d(a, w), F.conv2d(b, w)
    var_a = F.conv2d(a * a, w) - mu_a**2
    var_b = F.conv2d(b * b, w) - mu_b**2
    cov = F.conv2d(a * b, w) - mu_a * mu_b
    c1, c2 = (SSIM_K[0] * 255) ** 2, (SSIM_K[1] * 255) ** 2
    m = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return m.flatten(1).mean(1)
