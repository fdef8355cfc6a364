"""`zerosum.upscale` and `zerosum.translate`: a trained translator applied to images, with pictures and scores.

Both take a run (or its path) and either image files or a dataset's held-out pairs, and write into one folder
(default RUN/explore/VERB/): VERB.png with each example's columns side by side, one PNG per output under
outputs/, and VERB.json naming the run, the checkpoint and, per image, its scores.

- `upscale` (SRGAN/SRResNet runs): an image file is taken as a high-resolution target, brought to the run's size
  (shorter side, centre crop) and degraded the way the run was trained; columns input | bicubic | output |
  target; PSNR and SSIM of output and of bicubic per image (the `psnr_y` protocol: Y or grey, border cropped).
- `translate` (pix2pix runs): photo → mask runs read photos; mask → photo runs read masks, as PNGs of class
  indices (grey level k = class k) or in the palette's colours; columns input | output (| target); for photo →
  mask with known targets, pixel accuracy and mean IoU per image.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from zerosum.config import DataConfig
from zerosum.data.dataset import ImageSet
from zerosum.data.transforms import prepare
from zerosum.errors import ConfigError, DataError
from zerosum.explore import EXPLORE_DIR, write_record
from zerosum.images import load_image, save_png, to_uint8
from zerosum.metrics.restoration import psnr, ssim
from zerosum.metrics.segmentation import segmentation_scores
from zerosum.run import Run, as_run
from zerosum.translation.evaluate import check_translator, run_translator
from zerosum.translation.pairs import PairSet, bicubic_upscale, from_range, load_pairs, make_pairs
from zerosum.translation.picture import PALETTE, as_rgb, colour_masks, pair_picture, side_by_side

MAX_IMAGES = 256


def _check_task(run: Run, verb: str, tasks: tuple[str, ...]) -> str:
    check_translator(run, f"zerosum {verb}")
    task = run.config.data.pairs.task
    if task not in tasks:
        other = "translate" if verb == "upscale" else "upscale"
        raise ConfigError(f"zerosum {verb} is for {' or '.join(tasks)} runs; {run.path} has data.pairs.task={task}: "
                          f"use zerosum {other}")  # fmt: skip
    return task


def _out_dir(run: Run, verb: str, out: str | os.PathLike | None) -> Path:
    folder = Path(out) if out is not None else run.path / EXPLORE_DIR / verb
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {folder} is a file; give a folder for the pictures and the record")
    return folder


def read_mask(path: str | os.PathLike, k: int, size: tuple[int, int]) -> Tensor:
    """A mask file as H×W class indices: grey level k is class k, or a colour of the palette is its class."""
    x = load_image(path)
    if x.shape[0] == 1 or bool((x[0] == x[1]).all() and (x[1] == x[2]).all()):
        mask = x[0].long()
    else:
        match = (x.permute(1, 2, 0)[:, :, None, :].long() == PALETTE[:k].long()).all(-1)
        if not bool(match.any(-1).all()):
            raise DataError(
                f"{path}: a colour mask must use the palette's first {k} colours only (or grey class indices)"
            )
        mask = match.float().argmax(-1)
    if int(mask.max()) >= k:
        raise DataError(f"{path}: the mask holds class {int(mask.max())} but the run knows {k} classes (0-{k - 1})")
    if tuple(mask.shape) != size:
        mask = torch.nn.functional.interpolate(mask[None, None].float(), size=size, mode="nearest")[0, 0].long()
    return mask.to(torch.uint8)


def _file_pairs(run: Run, paths: Sequence[str | os.PathLike]) -> PairSet:
    """Image files as the run's pairs: photos (or targets) shaped to the run's size, or masks for mask → photo."""
    pairs, info = run.config.data.pairs, run.config.data_info
    if pairs.task == "mask_to_photo":
        c, h, w = info.shape
        masks = torch.stack([read_mask(p, len(info.mask_classes), (h, w)) for p in paths])
        photos = torch.zeros(len(paths), c, h, w, dtype=torch.uint8)  # unknown: no target column
        images = ImageSet(photos, torch.zeros(len(paths)), (), "files", masks=masks, mask_classes=info.mask_classes)
        return make_pairs(images, pairs)
    shape = info.shape if pairs.task == "upscale" else info.input_shape
    c, h, _ = shape
    photos = torch.stack([prepare(load_image(p, c)[None], c, h, run.config.data.resize)[0] for p in paths])
    masks = torch.zeros(len(paths), h, h, dtype=torch.uint8)
    images = ImageSet(photos, torch.zeros(len(paths)), (), "files", masks=masks, mask_classes=tuple(info.mask_classes))
    return make_pairs(images, pairs.model_copy(update={"masks": "dataset"}))


def _dataset_pairs(run: Run, dataset: str | None, data_root: str | None) -> PairSet:
    data = run.config.data
    if dataset is not None and dataset != data.name:
        pairs = data.pairs.model_copy(update={"test_classes": []})
        data = DataConfig(name=dataset, root=data_root, size=data.size, channels=data.channels, resize=data.resize,
                          pairs=pairs)  # fmt: skip
    elif data_root is not None:
        data = data.model_copy(update={"root": data_root})
    return load_pairs(data, "test")


def _source(run, images, dataset, n, data_root) -> tuple[PairSet, list[str], bool]:
    if images and dataset is not None:
        raise ConfigError("give --images or --dataset, not both")
    if n < 1 or n > MAX_IMAGES:
        raise ConfigError(f"--n {n}: give 1 to {MAX_IMAGES} images")
    if images:
        paths = [str(p) for p in images][:MAX_IMAGES]
        return _file_pairs(run, paths), [Path(p).stem for p in paths], False
    data = _dataset_pairs(run, dataset, data_root)
    count = min(n, len(data))
    return data, [f"{data.name}_{i:04d}" for i in range(count)], True


def _apply(run: Run, data: PairSet, n: int, seed: int) -> tuple[Tensor, Tensor, Tensor]:
    value_range = run.G.output_range
    inputs, targets = data.batch(torch.arange(n), value_range, generator=torch.Generator().manual_seed(seed))
    outputs = run_translator(run, inputs, seed)
    return from_range(inputs, value_range), from_range(outputs, value_range), from_range(targets, value_range)


def _translated(run, verb, tasks, images, dataset, n, out, checkpoint, device, data_root, seed):
    """What both verbs do first: load and check the run, read the images, run G, choose the output folder."""
    run = as_run(run, checkpoint, device) if not isinstance(run, Run) else run
    _check_task(run, verb, tasks)
    data, names, known = _source(run, images, dataset, n, data_root)
    return run, data, names, known, _apply(run, data, len(names), seed), _out_dir(run, verb, out)


def upscale(
    run: Run | str | os.PathLike,
    images: Sequence[str | os.PathLike] | None = None,
    dataset: str | None = None,
    n: int = 16,
    out: str | os.PathLike | None = None,
    checkpoint: str | None = None,
    device: str | None = None,
    data_root: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Upscale image files (as targets) or a dataset's held-out pairs with an SR run; returns the JSON record."""
    run, data, names, known, (inputs, outputs, targets), folder = _translated(
        run, "upscale", ("upscale",), images, dataset, n, out, checkpoint, device, data_root, seed
    )
    factor = data.pairs.factor
    bicubic = bicubic_upscale(inputs, factor)
    size = tuple(outputs.shape[-2:])
    cols = [as_rgb(x, (0.0, 1.0), False, size) for x in (inputs, bicubic, outputs, targets)]
    picture = save_png(folder / "upscale.png", side_by_side(cols, per_row=1))
    rows = []
    scores = {k: f(v, targets, factor) for k, f, v in
              (("psnr", psnr, outputs), ("ssim", ssim, outputs), ("psnr_bicubic", psnr, bicubic),
               ("ssim_bicubic", ssim, bicubic))}  # fmt: skip
    for i, name in enumerate(names):
        path = save_png(folder / "outputs" / f"{i:04d}_{name}.png", to_uint8(outputs[i], (0.0, 1.0)))
        rows.append({"name": name, "output": path.name, **{k: float(v[i]) for k, v in scores.items()}})
    record = {
        "task": "upscale", "factor": factor, "source": "dataset" if known else "files", "picture": picture.name,
        "columns": ["input", "bicubic", "output", "target"], "images": rows,
        "mean": {k: float(v.mean()) for k, v in scores.items()},
        "protocol": "PSNR/SSIM on Y (grey as it is), 8-bit, a border of `factor` pixels cropped",
    }  # fmt: skip
    write_record(folder / "upscale.json", run, "upscale", record)
    return {**record, "folder": str(folder)}


def translate(
    run: Run | str | os.PathLike,
    images: Sequence[str | os.PathLike] | None = None,
    dataset: str | None = None,
    n: int = 16,
    out: str | os.PathLike | None = None,
    checkpoint: str | None = None,
    device: str | None = None,
    data_root: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Translate photos ↔ masks with a pix2pix run (files, or a dataset's held-out pairs); returns the record."""
    run, data, names, known, (inputs, outputs, targets), folder = _translated(
        run, "translate", ("photo_to_mask", "mask_to_photo"), images, dataset, n, out, checkpoint, device, data_root,
        seed,
    )  # fmt: skip
    task = data.pairs.task
    to_mask = task == "photo_to_mask"
    picture = save_png(folder / "translate.png", pair_picture(inputs, outputs, targets if known else None, task))
    rows = []
    for i, name in enumerate(names):
        row: dict[str, Any] = {"name": name}
        if to_mask:
            mask = outputs[i : i + 1].argmax(1)
            row["output"] = save_png(folder / "outputs" / f"{i:04d}_{name}.png", mask[0].to(torch.uint8).numpy()).name
            row["coloured"] = save_png(folder / "outputs" / f"{i:04d}_{name}_colour.png", colour_masks(mask)[0]).name
            if known:
                s = segmentation_scores(mask, targets[i : i + 1].argmax(1), len(data.mask_classes))
                row.update(pixel_accuracy=s["pixel_accuracy"], mean_iou=s["mean_iou"])
        else:
            row["output"] = save_png(folder / "outputs" / f"{i:04d}_{name}.png", to_uint8(outputs[i], (0.0, 1.0))).name
        rows.append(row)
    record: dict[str, Any] = {
        "task": task, "source": "dataset" if known else "files", "picture": picture.name,
        "columns": ["input", "output", "target"][: 3 if known else 2], "mask_classes": list(data.mask_classes),
        "images": rows,
    }  # fmt: skip
    if to_mask and known:
        s = segmentation_scores(outputs.argmax(1), targets.argmax(1), len(data.mask_classes))
        record["overall"] = {"pixel_accuracy": s["pixel_accuracy"], "mean_iou": s["mean_iou"], "iou": s["iou"]}
    write_record(folder / "translate.json", run, "translate", record)
    return {**record, "folder": str(folder)}
