"""Pixel accuracy and intersection over union of predicted class masks, as segmentation papers report them.

Pixel accuracy counts every pixel of every image alike. IoU is computed per class over the whole set (the
confusion matrix summed over images, not a mean of per-image IoUs); the mean IoU averages the classes that occur
in the truth or the prediction, so a class absent from both does not count as a perfect 1.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def confusion(pred: Tensor, truth: Tensor, k: int) -> Tensor:
    """k×k counts: row = true class, column = predicted class."""
    pred, truth = pred.long().flatten(), truth.long().flatten()
    if len(pred) != len(truth):
        raise ValueError(f"prediction and truth differ in size: {len(pred)} and {len(truth)} pixels")
    return torch.bincount(truth * k + pred, minlength=k * k).view(k, k)


def segmentation_scores(pred: Tensor, truth: Tensor, k: int) -> dict[str, Any]:
    """pixel_accuracy, mean_iou and per-class iou (None where a class is in neither) of N×H×W class masks."""
    c = confusion(pred, truth, k).double()
    inter = c.diag()
    union = c.sum(0) + c.sum(1) - inter
    iou = [float(i / u) if u > 0 else None for i, u in zip(inter, union, strict=True)]
    present = [v for v in iou if v is not None]
    return {
        "pixel_accuracy": float(inter.sum() / c.sum().clamp(min=1)),
        "mean_iou": sum(present) / len(present) if present else float("nan"),
        "iou": iou,
    }
