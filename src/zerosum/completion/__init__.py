"""Semantic image completion with a trained GAN (Yeh et al. 2017): search z so G(z) fits the known pixels and
looks real to D, then blend G(z)'s hole into the image. Scored on the hole against mean fill and OpenCV Telea.
"""

from __future__ import annotations

from zerosum.completion.baselines import mean_fill, telea_fill
from zerosum.completion.blend import BLENDS, blend, feather_blend, poisson_blend
from zerosum.completion.evaluate import Evaluation, Settings, dataset_images, evaluate, file_images, markdown_table
from zerosum.completion.masks import MASKS, contextual_weights, known_fraction, make_mask
from zerosum.completion.optimise import SearchResult, search_z
from zerosum.completion.quality import hole_psnr, hole_ssim

__all__ = [
    "BLENDS",
    "MASKS",
    "Evaluation",
    "SearchResult",
    "Settings",
    "blend",
    "contextual_weights",
    "dataset_images",
    "evaluate",
    "feather_blend",
    "file_images",
    "hole_psnr",
    "hole_ssim",
    "known_fraction",
    "make_mask",
    "markdown_table",
    "mean_fill",
    "poisson_blend",
    "search_z",
    "telea_fill",
]
