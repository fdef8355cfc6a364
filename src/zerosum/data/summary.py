"""What a run is about to train on, in one line, and what a user should hear about it before training starts.

A folder of phone photos can hold a dozen sizes, gray scans among colour ones, or thumbnails far below the training
size; the summary shows what the files held and what the model will see ("50 images, 48×48 RGB from cats → 64×64
RGB, 3 classes"), so a wrong channel count or size is caught in the first second instead of after an hour.
Sizes are width×height.
"""

from __future__ import annotations

from collections.abc import Mapping

from zerosum.sizes import image_size, shape_text

MAX_UPSCALE = 2.0  # beyond this factor an image is mostly interpolation: the run learns blur

Shapes = Mapping[tuple[int, int, int], int]  # (H, W, C) of the decoded files → how many files had it


def colour_word(channels: set[int] | frozenset[int]) -> str:
    if channels == {1}:
        return "gray"
    if channels <= {3, 4}:
        return "RGB"
    return "gray and RGB"


def shapes_text(shapes: Shapes) -> str:
    """The decoded files' sizes: '48×48 RGB', or '3 sizes from 20×10 to 640×480, gray and RGB'."""
    colour = colour_word({c for _, _, c in shapes})
    sizes = sorted({(h, w) for h, w, _ in shapes}, key=lambda hw: (hw[0] * hw[1], hw))
    if len(sizes) == 1:
        return f"{image_size(sizes[0])} {colour}"
    return f"{len(sizes)} sizes from {image_size(sizes[0])} to {image_size(sizes[-1])}, {colour}"


def data_summary(data) -> str:
    """One line: how many items, what they were, what the model sees, and the classes."""
    if data.kind == "points":
        return f"{len(data):,} points in {data.points.shape[1]}-D from {data.name}"
    if data.kind == "pairs":
        what = {"upscale": f"×{data.pairs.factor} upscaling", "photo_to_mask": "photo → mask",
                "mask_to_photo": "mask → photo"}[data.task]  # fmt: skip
        line = f"{len(data):,} {what} pairs from {data.name}: {shape_text(data.input_shape)} → {shape_text(data.shape)}"
        return line + (f" ({', '.join(data.mask_classes)})" if data.mask_classes else "")
    final = shape_text(data.shape)
    original = shapes_text(data.original) if data.original else final
    line = f"{len(data):,} images, {original} from {data.name}"
    if original != final:
        line += f" → {final}"
    if data.num_classes and data.labelled is not None:
        return f"{line}, {data.num_classes} classes, {len(data.labelled):,} of them labelled (data.labelled)"
    if data.num_classes:
        return f"{line}, {data.num_classes} classes"
    return f"{line}, unlabeled"


def upscale_warning(data) -> str | None:
    """A line when some images are enlarged more than MAX_UPSCALE× (shorter side to the training size)."""
    if data.kind != "image" or not data.original:
        return None
    side = data.shape[1]
    small = {hw: n for hw, n in data.original.items() if side / min(hw[0], hw[1]) > MAX_UPSCALE}
    if not small:
        return None
    smallest = min(small, key=lambda s: min(s[0], s[1]))[:2]
    count, total = sum(small.values()), sum(data.original.values())
    return (
        f"{count} of {total} images of {data.name} (the smallest {image_size(smallest)}) are upscaled more than "
        f"{MAX_UPSCALE:g}× to {side}×{side}: they will train blurry; use larger images or a smaller data.size"
    )


def count_shapes(arrays) -> dict[tuple[int, int, int], int]:
    """(H, W, C) counts of decoded H×W×C arrays, or of one N×H×W×C array."""
    if hasattr(arrays, "shape") and len(arrays.shape) == 4:
        n, h, w, c = arrays.shape
        return {(int(h), int(w), int(c)): int(n)}
    counts: dict[tuple[int, int, int], int] = {}
    for a in arrays:
        key = (int(a.shape[0]), int(a.shape[1]), int(a.shape[2]))
        counts[key] = counts.get(key, 0) + 1
    return counts
