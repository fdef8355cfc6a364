"""`zerosum interpolate` in one call: pick the latent points, walk, and leave picture, GIF, neighbours and record.

Kept apart from the interpolation math (interpolate.py) so that the math stays small and testable on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.explore import output_paths, require_images, write_record
from zerosum.images import make_grid, save_gif, save_png, to_uint8
from zerosum.latent.interpolate import interpolate, random_pairs, row_labels, seed_z, walk
from zerosum.latent.memorisation import neighbour_panel, neighbour_stats, training_images
from zerosum.latent.sheet import labelled_rows, upscale
from zerosum.run import Run

VERB = "interpolate"
GIF_MIN = 128  # pixels: GIF frames show each image at least this large
DEFAULT_PAIRS = 4


def _t_label(t: float) -> str:
    return "0" if t == 0 else "1" if t == 1 else f"{t:.2f}".lstrip("0")


def _rows(sequences: Tensor, ends: list[tuple[str, str]], through: bool) -> list[list[tuple[Tensor, str]]]:
    """Picture rows: every cell labelled with its t, the ends with their seeds where seeds named them."""
    steps = sequences.shape[1]
    table = []
    for r, seq in enumerate(sequences):
        labels = ["" if through else _t_label(j / (steps - 1)) for j in range(steps)]
        labels[0], labels[-1] = ends[r][0] or labels[0], ends[r][1] or labels[-1]
        table.append([(seq[j], labels[j]) for j in range(steps)])
    return table


def _gif_frames(sequences: Tensor, value_range: tuple[float, float]) -> list[np.ndarray]:
    """Frame j shows image j of every sequence side by side, scaled up to be viewable; played forth and back."""
    k = max(1, -(-GIF_MIN // sequences.shape[-2]))
    frames = []
    for j in range(sequences.shape[1]):
        x = upscale(to_uint8(sequences[:, j], value_range), k)
        frames.append(make_grid(x, nrow=len(x), padding=4 if len(x) > 1 else 0))
    return frames + frames[-2:0:-1]


def _choose(
    run: Run, seeds: Sequence[int] | None, pairs: int | None, through: Sequence[int] | None, seed: int
) -> tuple[str, Tensor, list[tuple[str, str]], dict[str, Any]]:
    """(kind, z, row-end labels, record part): z is P×2×nz for pairs, K×nz for a walk through points."""
    if sum(x is not None for x in (seeds, pairs, through)) > 1:
        raise ConfigError("give one of --seeds, --pairs and --through")
    if through is not None:
        if len(through) < 2:
            raise ConfigError(f"--through {through}: a walk needs at least 2 seeds")
        z = seed_z(run, through)
        return "through", z, [], {"through": list(through)}
    if seeds is not None:
        if len(seeds) < 2 or len(seeds) % 2:
            raise ConfigError(f"--seeds {','.join(map(str, seeds))}: give pairs of seeds, e.g. 3,7 or 3,7,1,9")
        z = seed_z(run, seeds).reshape(len(seeds) // 2, 2, -1)
        ends = [(f"seed {a}", f"seed {b}") for a, b in zip(seeds[::2], seeds[1::2], strict=True)]
        return "seeds", z, ends, {"seeds": list(seeds)}
    n = DEFAULT_PAIRS if pairs is None else pairs
    return "pairs", random_pairs(run, n, seed), [("", "")] * n, {"pairs": n, "seed": seed}


def explore_interpolation(
    run: Run,
    *,
    steps: int = 10,
    mode: str = "lerp",
    seeds: Sequence[int] | None = None,
    pairs: int | None = None,
    through: Sequence[int] | None = None,
    seed: int = 0,
    gif: bool = False,
    neighbours: int = 0,
    references: Tensor | None = None,
    data_root: str | Path | None = None,
    out: str | Path | None = None,
) -> dict[str, Any]:
    """Draw latent walks and write the picture (one row per pair, or per segment of a `through` walk), optionally
    the GIF (PATH stem + .gif) and the nearest-training-neighbour panel (stem + _neighbours.png), and the record.

    `references` (uint8 N×C×H×W) replaces the run's training set for the neighbours. Returns the record, with the
    written paths under "picture", "record", "gif" and "neighbours_picture".
    """
    require_images(run, VERB)
    if steps < 2:
        raise ConfigError(f"--steps {steps}: a walk needs at least 2 images (its two ends)")
    kind, z, ends, part = _choose(run, seeds, pairs, through, seed)
    picture, record_path = output_paths(run, VERB, out)
    value_range = run.generator.output_range or (0.0, 1.0)
    if kind == "through":
        images = walk(run, z, steps, mode)
        n_seg = len(z) - 1
        idx = torch.arange(n_seg)[:, None] * (steps - 1) + torch.arange(steps)[None, :]
        sequences = images[idx]  # one row per segment; a row starts where the one above ended
        ends = [(f"seed {through[i]}", f"seed {through[i + 1]}") for i in range(n_seg)]
        flat = images
        gif_sequences = images[None]
        labels = [0] if run.config.model.conditional else None
    else:
        labels = row_labels(run, len(z))
        sequences = interpolate(run, z, steps, mode, labels)
        flat = sequences.reshape(-1, *sequences.shape[2:])
        gif_sequences = sequences
    save_png(picture, labelled_rows(_rows(sequences, ends, kind == "through"), value_range))
    record: dict[str, Any] = {
        "kind": kind,
        "mode": mode,
        "steps": steps,
        **part,
        "labels": labels,
        "z_endpoints": z,
        "images": len(flat),
        "picture": picture,
    }
    if gif:
        gif_path = picture.with_suffix(".gif")
        save_gif(gif_path, _gif_frames(gif_sequences, value_range), duration_ms=120)
        record["gif"] = gif_path
    if neighbours:
        refs = references if references is not None else training_images(run, data_root)
        stats = neighbour_stats(flat, refs, neighbours, value_range, seed=seed)
        panel = picture.with_name(picture.stem + "_neighbours.png")
        save_png(panel, neighbour_panel(flat, refs, stats, value_range))
        record["neighbours"] = {**stats, "source": "given images" if references is not None else "training set"}
        record["neighbours_picture"] = panel
    write_record(record_path, run, VERB, record)
    record["record"] = record_path
    return record
