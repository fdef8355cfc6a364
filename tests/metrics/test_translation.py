"""The image-to-image protocols' own arithmetic, on hand-made translations (the runs are in tests/translation)."""

from types import SimpleNamespace

import pytest
import torch

from zerosum.config import resolve
from zerosum.errors import ConfigError
from zerosum.metrics.translation import silhouette_iou
from zerosum.translation.evaluate import Translations

OUTLINE = torch.tensor([[0, 0, 1, 1], [0, 1, 1, 1]])  # the mask G was given: 5 object pixels of 8


def _context(outputs: torch.Tensor, preset: str = "pix2pix-fashion") -> SimpleNamespace:
    inputs = torch.stack([1 - OUTLINE, OUTLINE]).float()[None]  # one-hot, background first
    t = Translations("mask_to_photo", inputs, outputs, outputs, mask_classes=("background", "object"))
    return SimpleNamespace(data=resolve(preset).data, translations=lambda limit=None: t)


def test_silhouette_iou_closed_forms():
    threshold = resolve("pix2pix-fashion").data.pairs.threshold
    real = (OUTLINE.float() * 200 + 5)[None, None] / 255  # a photo whose silhouette is the outline
    assert silhouette_iou(_context(real))["value"] == 1.0
    assert silhouette_iou(_context(torch.zeros_like(real)))["value"] == 0.0  # nothing drawn
    half = real.clone()
    half[..., 1, :] = 0  # the second row dark: 2 of the 5 object pixels remain
    rec = silhouette_iou(_context(half))
    assert rec["value"] == pytest.approx(2 / 5) and rec["threshold"] == threshold
    edge = torch.full_like(real, threshold / 255)  # at the threshold is background: "brighter than"
    assert silhouette_iou(_context(edge))["value"] == 0.0


def test_silhouette_iou_needs_thresholded_masks():
    with pytest.raises(ConfigError, match="data.pairs.masks=threshold"):
        silhouette_iou(_context(torch.zeros(1, 1, 2, 4), preset="pix2pix-shapes-photo"))
