"""Forgetting to draw objects (Radford et al. 2015, §6.2): find G's feature maps that draw an object, drop them.

The paper boxed windows on 150 bedroom samples, fit a logistic regression on the second-to-last conv layer
(positives inside the boxes, negatives random positions elsewhere), zeroed every map with a positive weight and
regenerated the same z: windows mostly vanished or became other objects. Here the fit is on the input of G's
last block (`feature_layer`; ngf×16×16 for DCGAN-32), one sample per position. The drop is measured as the
object's pixel mass on runs on the synthetic `objects` set (whose colour detector finds the object on any
image) and, for any run, as the mean |Δ| inside the boxes (held-out z: inside the classifier's predicted object
regions) against outside; dropping as many random maps is the control that tells an object-specific drop from
plain damage. Boxes are pixels (x0, y0, x1, y1), x1/y1 exclusive, one list per z ([] = no object: negatives
only); reading boxes.json files is the `zerosum forget` verb's job.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from zerosum.errors import ConfigError

Box = Sequence[float]


@dataclass
class ObjectMaps:
    """The fitted classifier and the maps it says draw the object (weight > threshold); train_accuracy is on
    the n_positives + n_negatives positions it was fit on."""

    layer: int
    weights: Tensor
    bias: float
    maps: list[int]
    n_fit_images: int
    n_boxes: int
    n_positives: int
    n_negatives: int
    train_accuracy: float

    def probability(self, feats: Tensor) -> Tensor:
        """P(object) per spatial position of features N×C×g×g → N×g×g."""
        return torch.sigmoid(torch.einsum("nchw,c->nhw", feats.float(), self.weights.float()) + self.bias)


@contextmanager
def _eval(G: nn.Module) -> Iterator[None]:
    """Eval mode and no grad for the duration (BatchNorm on running stats, so a zeroed map changes nothing else)."""
    was = G.training
    G.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        G.train(was)


def feature_layer(G: nn.Module) -> int:
    """Index of the block whose output feeds G's last block (the paper's "second-to-last conv layer")."""
    if len(getattr(G, "blocks", ())) < 2 or len(getattr(G, "out_shape", ())) != 3:
        raise ConfigError("zerosum forget needs a convolutional image generator (model.arch=dcgan)")
    return len(G.blocks) - 2


def features(G: nn.Module, z: Tensor, layer: int | None = None) -> Tensor:
    """G's activations (N×C×g×g) at `layer` (default: `feature_layer`) for z, in eval mode."""
    with _eval(G):
        h = G.forward_features(z)[feature_layer(G) if layer is None else layer].float()
    if h.dim() != 4:
        raise ConfigError("zerosum forget needs a convolutional image generator (model.arch=dcgan)")
    return h


def generate_without(G: nn.Module, z: Tensor, maps: Sequence[int], layer: int | None = None) -> tuple[Tensor, Tensor]:
    """(with, without): G(z) as usual, and G(z) with channels `maps` of `layer` zeroed before the later blocks."""
    layer = feature_layer(G) if layer is None else layer
    with _eval(G):
        feats = G.forward_features(z)
        h = feats[layer].clone()
        h[:, list(maps)] = 0
        for block in G.blocks[layer + 1 :]:
            h = block(h)
    return feats[-1].float(), h.float()


def box_mask(boxes: Sequence[Sequence[Box]], size: int, grid: int) -> Tensor:
    """Bool N×grid×grid: the feature positions inside each image's boxes (given in pixels of a size×size image).

    A position stands for the image patch it draws; it is inside a box when the patch's centre is. A box too
    small to hold any centre still marks the one position under its own centre, so no box goes unused."""
    scale = size / grid
    centre = (torch.arange(grid, dtype=torch.float32) + 0.5) * scale
    out = torch.zeros(len(boxes), grid, grid, dtype=torch.bool)
    for i, image_boxes in enumerate(boxes):
        for x0, y0, x1, y1 in image_boxes:
            cell = ((centre >= y0) & (centre < y1))[:, None] & ((centre >= x0) & (centre < x1))[None, :]
            if not cell.any():
                cell[min(int((y0 + y1) / 2 / scale), grid - 1), min(int((x0 + x1) / 2 / scale), grid - 1)] = True
            out[i] |= cell
    return out


def pixel_mask(boxes: Sequence[Sequence[Box]], size: int) -> Tensor:
    """Bool N×size×size: pixels inside any of each image's boxes (fractional edges rounded outward)."""
    out = torch.zeros(len(boxes), size, size, dtype=torch.bool)
    for i, image_boxes in enumerate(boxes):
        for x0, y0, x1, y1 in image_boxes:
            out[i, max(int(y0), 0) : math.ceil(y1), max(int(x0), 0) : math.ceil(x1)] = True
    return out


def fit_object_maps(
    G: nn.Module, z: Tensor, boxes: Sequence[Sequence[Box]], *, seed: int = 0, threshold: float = 0.0, C: float = 1.0
) -> ObjectMaps:
    """Logistic regression object-vs-elsewhere on G's `feature_layer` activations for z; maps with weight >
    `threshold` (the paper: > 0) are the object's. Negatives: as many positions outside every box as there
    are positives, drawn at random (seeded) from all images given."""
    from sklearn.linear_model import LogisticRegression

    if len(boxes) != len(z):
        raise ConfigError(f"got {len(boxes)} box lists for {len(z)} z; give one list (maybe empty) per z")
    layer = feature_layer(G)
    feats = features(G, z, layer)
    inside = box_mask(boxes, int(G.out_shape[-1]), feats.shape[-1]).flatten().numpy()
    if not inside.any():
        raise ConfigError("no boxes to fit on: give at least one box of the object")
    table = feats.permute(0, 2, 3, 1).reshape(-1, feats.shape[1]).numpy()
    pos, outside = np.flatnonzero(inside), np.flatnonzero(~inside)
    if len(outside) == 0:
        raise ConfigError("the boxes cover every position; leave some of the image outside them as negatives")
    neg = np.random.default_rng(seed).choice(outside, size=min(len(pos), len(outside)), replace=False)
    x, t = np.concatenate([table[pos], table[neg]]), np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    clf = LogisticRegression(C=C, max_iter=5000, random_state=seed).fit(x, t)
    w = torch.from_numpy(clf.coef_[0].astype(np.float32))
    maps = [int(i) for i in torch.nonzero(w > threshold).flatten()]
    n_boxes, acc = sum(len(b) for b in boxes), float(clf.score(x, t))
    return ObjectMaps(layer, w, float(clf.intercept_[0]), maps, len(z), n_boxes, len(pos), len(neg), acc)


def change(before: Tensor, after: Tensor, mask: Tensor, value_range: tuple[float, float] | None) -> dict[str, Any]:
    """Mean |Δ| per pixel (in [0, 1] units, averaged over channels) inside `mask` (N×H×W) and outside it."""
    span = (value_range[1] - value_range[0]) if value_range else 1.0
    diff = (after - before).abs().mean(1) / span
    inside, outside = diff[mask], diff[~mask]
    a = float(inside.mean()) if inside.numel() else float("nan")
    b = float(outside.mean()) if outside.numel() else float("nan")
    return {"inside": a, "outside": b, "ratio": a / b if b > 0 else float("nan")}


def regions(obj: ObjectMaps, G: nn.Module, z: Tensor, size: int) -> Tensor:
    """Bool N×size×size: where the classifier says P(object) > 0.5, each feature position spread over its patch."""
    p = obj.probability(features(G, z, obj.layer)) > 0.5
    scale = size // p.shape[-1]
    return p.repeat_interleave(scale, 1).repeat_interleave(scale, 2)


def _picture(before: Tensor, after: Tensor, cols: int, vr: tuple[float, float], path: Path) -> None:
    """Row pairs, "original" G(z) above and "dropped" (same z, maps zeroed) below; small images are upscaled
    (nearest) to at least 64 px so a 32×32 object is visible, and pairs are set apart by a white band."""
    from PIL import Image, ImageDraw

    from zerosum.images import make_grid, save_png

    f = max(1, math.ceil(64 / before.shape[-1]))
    up = [x.repeat_interleave(f, 2).repeat_interleave(f, 3) for x in (before, after)]
    blocks = []
    for start in range(0, len(before), cols):
        pair = torch.cat([u[start : start + cols] for u in up])
        blocks.append(make_grid(pair, nrow=len(pair) // 2, pad_value=255, value_range=vr))
    c, width, cell = blocks[0].shape[2], blocks[0].shape[1] + 64, blocks[0].shape[0] // 2
    canvas = Image.new("L" if c == 1 else "RGB", (width, sum(b.shape[0] + 6 for b in blocks) - 6), "white")
    draw, top = ImageDraw.Draw(canvas), 0
    for block in blocks:
        canvas.paste(Image.fromarray(block[:, :, 0] if c == 1 else block), (64, top))
        for k, label in enumerate(("original", "dropped")):
            draw.text((4, top + k * cell + cell // 2 - 5), label, fill="black")
        top += block.shape[0] + 6
    save_png(path, np.asarray(canvas))


def forget(
    run: Any,
    z_fit: Tensor,
    boxes: Sequence[Sequence[Box]],
    *,
    n_show: int = 16,
    n_measure: int = 500,
    seed: int = 1,
    threshold: float = 0.0,
    out: str | Path | None = None,
    info: dict[str, Any] | None = None,
) -> tuple[Path, Path, dict[str, Any]]:
    """The experiment on a loaded run: fit on (z_fit, boxes), regenerate `n_measure` held-out z (seed `seed`)
    with and without the object maps and with as many random maps dropped, measure, and write the picture of
    the first `n_show` plus the JSON record (`info` is copied into it). Returns (picture, record path, record)."""
    from zerosum.data import objects
    from zerosum.explore import output_paths, require_images, write_record

    require_images(run, "forget")
    if run.config.model.conditional:
        raise ConfigError("zerosum forget works on unconditional runs; this run's G needs class labels")
    if n_show < 1 or n_measure < 1:
        raise ConfigError(f"--n-show {n_show} / n_measure {n_measure}: both must be at least 1")
    start = time.perf_counter()
    G = run.generator
    size, vr = int(G.out_shape[-1]), G.output_range or (-1.0, 1.0)
    obj = fit_object_maps(G, z_fit, boxes, seed=seed, threshold=threshold)
    held = G.sample_z(max(n_show, n_measure), generator=torch.Generator().manual_seed(seed))
    # the direct formula: the matmul one (cdist's default beyond 25 rows) leaves ~1e-3 of rounding on equal rows
    if (torch.cdist(held, z_fit.to(held), compute_mode="donot_use_mm_for_euclid_dist") < 1e-6).any():
        raise ConfigError(f"--seed {seed} draws the same z as the boxed sheet; pick another --seed for held-out z")
    control = sorted(int(i) for i in np.random.default_rng(seed).choice(len(obj.weights), len(obj.maps), False))
    before, after = generate_without(G, held, obj.maps)
    _, controlled = generate_without(G, held, control)
    fit_before, fit_after = generate_without(G, z_fit, obj.maps)
    where = regions(obj, G, held, size)
    fitted = {k: v for k, v in vars(obj).items() if k != "maps"}
    record: dict[str, Any] = {
        **(info or {}),
        **fitted,
        "feature_shape": list(features(G, held[:1], obj.layer).shape[1:]),
        **{"threshold": threshold, "n_maps": len(obj.weights), "n_dropped": len(obj.maps), "maps_dropped": obj.maps},
        **{"control_maps": control, "seed": seed, "n_held_out": len(held), "n_show": n_show},
        "change_fit_in_boxes": change(fit_before, fit_after, pixel_mask(boxes, size), vr),
        "change_held_out_in_predicted": change(before, after, where, vr),
        "change_held_out_control": change(before, controlled, where, vr),
        "predicted_object_area": float(where.float().mean()),
        "object_mass": None,
    }
    if run.config.data.name == objects.NAME and G.out_shape[0] == 3:
        mass = {k: objects.presence(x, vr) for k, x in (("before", before), ("after", after), ("control", controlled))}
        base = mass["before"]["mass"]
        for k in ("after", "control"):
            mass[f"{k}_relative_drop"] = 1 - mass[k]["mass"] / base if base else None
        mass["erased"] = {"after": objects.erased(before, after, vr), "control": objects.erased(before, controlled, vr)}
        record["object_mass"] = mass
    picture, record_path = output_paths(run, "forget", out)
    _picture(before[:n_show], after[:n_show], min(n_show, 8), vr, picture)
    record["seconds"] = round(time.perf_counter() - start, 2)
    write_record(record_path, run, "forget", record)
    return picture, record_path, record
