import math

import pytest
import torch

from zerosum.metrics.restoration import luminance, psnr, ssim


def test_psnr_closed_form_and_identity():
    a = torch.full((2, 1, 16, 16), 100 / 255)
    b = torch.full((2, 1, 16, 16), 110 / 255)
    assert psnr(a, b).tolist() == pytest.approx([20 * math.log10(255 / 10)] * 2)
    assert psnr(a, a).isinf().all()


def test_psnr_crops_the_border():
    a = torch.full((1, 1, 16, 16), 0.5)
    b = a.clone()
    b[..., :4, :] = 0  # damage only inside the border
    assert psnr(a, b, crop=4).isinf().all() and psnr(a, b).item() < 20


def test_luminance_is_matlab_rgb2ycbcr_y():
    white, black = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1, 1)
    assert luminance(white).item() == pytest.approx(235.0, abs=1e-3)
    assert luminance(black).item() == pytest.approx(16.0)
    assert luminance(torch.full((1, 1, 1, 1), 0.5)).item() == 128.0  # grey: the level itself, 8-bit rounded


def test_ssim_is_one_for_equal_images_and_falls_with_noise():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 1, 32, 32, generator=g)
    assert ssim(x, x).tolist() == pytest.approx([1.0] * 3)
    light = (x + 0.02 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    heavy = (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    assert (ssim(x, heavy) < ssim(x, light)).all() and (ssim(x, light) < 1).all()


def test_ssim_of_a_mean_shift_follows_the_luminance_term():
    # constant images: variances and covariance vanish, SSIM = (2 μa μb + C1) / (μa² + μb² + C1)
    a, b = torch.full((1, 1, 12, 12), 100 / 255), torch.full((1, 1, 12, 12), 150 / 255)
    c1 = (0.01 * 255) ** 2
    expected = (2 * 100 * 150 + c1) / (100**2 + 150**2 + c1)
    assert ssim(a, b).item() == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError, match="at least 11"):
        ssim(a, b, crop=1)
