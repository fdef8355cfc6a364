"""The image-to-image protocols, on a run's held-out pairs (`translation.evaluate`): PSNR and SSIM of upscaled
images beside bicubic's, a perceptual distance of upscaled to real images, and pixel accuracy / mean IoU of
predicted masks. The maths is in `restoration.py` and `segmentation.py`; the held-out pairs are the config's
(`data.pairs.test_classes`, or the dataset's test split).
"""

from __future__ import annotations

from typing import Any

import torch

from zerosum.metrics.frechet import feature_stats, frechet_distance, kid
from zerosum.metrics.reference import to_uint8
from zerosum.metrics.registry import EvalContext
from zerosum.metrics.restoration import psnr, ssim
from zerosum.metrics.segmentation import segmentation_scores

FID_PAIRS = 500  # the perceptual protocol's pairs: Inception features of 1,000 images, minutes on a CPU
KID_SUBSETS = 100


def _restoration(ctx: EvalContext, score) -> dict[str, Any]:
    t = ctx.translations()
    crop = t.factor
    ours, bicubic = score(t.outputs, t.targets, crop), score(t.bicubic(), t.targets, crop)
    return {
        "value": float(ours.mean()),
        "bicubic": float(bicubic.mean()),
        "gain": float(ours.mean() - bicubic.mean()),
        "n": len(t),
        "factor": t.factor,
        "crop": crop,
        "channel": "Y (BT.601)" if t.targets.shape[1] == 3 else "grey",
    }


def psnr_y(ctx: EvalContext) -> dict[str, Any]:
    return _restoration(ctx, psnr)


def ssim_y(ctx: EvalContext) -> dict[str, Any]:
    return _restoration(ctx, ssim)


def fid_sr(ctx: EvalContext) -> dict[str, Any]:
    """FID (and KID) between upscaled and real held-out images, bicubic's beside it: realism, which PSNR misses."""
    from zerosum.metrics.fid import context_features

    t = ctx.translations(FID_PAIRS)
    feats = {
        name: context_features(ctx, to_uint8(images), f"Inception features of {name}")
        for name, images in (("targets", t.targets), ("outputs", t.outputs), ("bicubic", t.bicubic()))
    }
    real = feature_stats(feats["targets"])
    gen = torch.Generator().manual_seed(ctx.seed)
    kid_out = kid(feats["outputs"], feats["targets"], KID_SUBSETS, len(t), generator=gen)
    kid_bic = kid(feats["bicubic"], feats["targets"], KID_SUBSETS, len(t), generator=gen)
    return {
        "value": frechet_distance(*feature_stats(feats["outputs"]), *real),
        "bicubic": frechet_distance(*feature_stats(feats["bicubic"]), *real),
        "kid": kid_out[0],
        "kid_bicubic": kid_bic[0],
        "n": len(t),
    }


def fd_lenet_pairs(ctx: EvalContext) -> dict[str, Any]:
    """Fréchet distance in the dataset's LeNet features between G's held-out outputs and their targets (upscaled or
    drawn from masks), bicubic's beside it for upscaling."""
    from zerosum.metrics import classifier as clf

    t = ctx.translations()
    model = clf.get_classifier(ctx.dataset, ctx.device)
    images = {"targets": t.targets, "outputs": t.outputs, **({"bicubic": t.bicubic()} if t.task == "upscale" else {})}
    feats = {k: clf.penultimate_features(model, v, backend=ctx.backend).double() for k, v in images.items()}
    real = feature_stats(feats.pop("targets"))
    out = {k: frechet_distance(*feature_stats(v), *real) for k, v in feats.items()}
    return {"value": out.pop("outputs"), **out, "n": len(t)}


def _masks(ctx: EvalContext) -> dict[str, Any]:
    t = ctx.translations()
    k = len(t.mask_classes)
    scores = segmentation_scores(t.outputs.argmax(1), t.targets.argmax(1), k)
    return {**scores, "classes": list(t.mask_classes), "n": len(t)}


def pixel_accuracy(ctx: EvalContext) -> dict[str, Any]:
    scores = _masks(ctx)
    return {"value": scores["pixel_accuracy"], **scores}


def mean_iou(ctx: EvalContext) -> dict[str, Any]:
    scores = _masks(ctx)
    return {"value": scores["mean_iou"], **scores}


def silhouette_iou(ctx: EvalContext) -> dict[str, Any]:
    """IoU between the silhouette of G's photo (the same brightness threshold that made the masks) and the mask it
    was drawn from: does the garment G draws fill the outline it was given? Real photos score 1 by construction."""
    from zerosum.errors import ConfigError

    pairs = ctx.data.pairs
    if pairs is None or pairs.masks != "threshold":
        raise ConfigError(
            "silhouette_iou reads runs whose masks are thresholded photos (data.pairs.masks=threshold); "
            "use segmenter_score for shapes"
        )
    t = ctx.translations()
    drawn = (to_uint8(t.outputs)[:, 0] > pairs.threshold).long()
    scores = segmentation_scores(drawn, t.inputs.argmax(1), len(t.mask_classes))
    return {
        "value": scores["iou"][1],
        **scores,
        "classes": list(t.mask_classes),
        "n": len(t),
        "threshold": pairs.threshold,
    }
