"""`zerosum complete` as one Python call: pick images, mask them, complete, draw the picture, write the record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from zerosum.completion.evaluate import Settings, dataset_images, evaluate, file_images, record, summary
from zerosum.completion.masks import known_fraction, make_mask
from zerosum.completion.picture import draw
from zerosum.errors import ConfigError
from zerosum.explore import output_paths, require_discriminator, require_images, write_record
from zerosum.run import Run

VERB = "complete"


def explore_completion(
    run: Run,
    *,
    mask: str,
    images: Sequence[str | Path] | None = None,
    dataset: str | None = None,
    split: str = "test",
    n: int = 16,
    seed: int = 0,
    settings: Settings | None = None,
    baselines: bool = True,
    out: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Complete image files (`images`) or n seeded images of `dataset` (default: the run's own) under `mask`.

    Returns the record, with "picture" and "record" (paths) added. A "random" mask is drawn per image from `seed`.
    """
    require_images(run, VERB)
    require_discriminator(run, VERB)
    settings = (settings or Settings()).check()
    make_mask(mask, 2)  # a wrong mask name fails before any data is read
    if images is not None and dataset is not None:
        raise ConfigError("give either --images PATHS or --dataset NAME, not both")
    if n < 1:
        raise ConfigError(f"--n {n}: complete at least one image")
    if images is not None:
        pixels, source = file_images(run, images), {"files": [str(p) for p in images]}
    else:
        dataset = dataset or run.config.data.name
        pixels, ids = dataset_images(run, dataset, split, n, seed)
        source = {"dataset": dataset, "split": split, "ids": ids.tolist()}
    known = make_mask(mask, int(pixels.shape[-1]), len(pixels), seed)
    ev = evaluate(run, pixels, known, settings, baselines=baselines, log=log)
    picture, record_path = output_paths(run, VERB, out)
    draw(ev, picture)
    rec = record(ev, {**source, "mask": mask, "known_fraction": known_fraction(known).mean().item(), "seed": seed})
    write_record(record_path, run, VERB, rec)
    return {**rec, "picture": picture, "record": record_path}


def summary_line(rec: dict[str, Any]) -> str:
    """'hole PSNR: zerosum 14.2 dB, mean_fill 9.1 dB, ...' for the CLI."""
    parts = [f"{name} {m['psnr_mean']:.2f} dB / SSIM {m['ssim_mean']:.3f}" for name, m in rec["summary"].items()]
    return "hole PSNR/SSIM (mean): " + ", ".join(parts)


__all__ = ["explore_completion", "summary", "summary_line"]
