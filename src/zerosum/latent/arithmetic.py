"""Vector arithmetic on z (DCGAN paper §6.3, Fig. 7–8): "smiling woman − neutral woman + neutral man".

Single samples are too noisy to carry a concept, so each group is averaged first (the paper uses 3 exemplars) and
the arithmetic is done on the means. The result is shown with 8 images from the result plus uniform noise of scale
0.25 per coordinate (the paper's check that the concept holds in a neighbourhood, not at one lucky point). The
difference of two means is also an attribute direction that can be added at several strengths to any z (the
paper's "turn" vector, Fig. 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.explore import output_paths, require_images, write_record
from zerosum.images import save_png
from zerosum.latent.interpolate import seed_z
from zerosum.latent.sheet import check_ids, labelled_rows, load_sheet
from zerosum.run import Run
from zerosum.sampling import generate

VERB = "arithmetic"
NOISE = 0.25  # the paper's scale of the uniform noise around the result
NEIGHBOURS = 8
STRENGTHS = (-2.0, -1.0, 0.0, 1.0, 2.0)
DEFAULT_BASES = 4


def group_mean(z: Tensor, ids: Sequence[int]) -> Tensor:
    """Mean of the sheet's z at `ids` (a single id gives that z unchanged)."""
    return z[list(ids)].mean(0)


def combine(z: Tensor, a: Sequence[int], b: Sequence[int], c: Sequence[int]) -> Tensor:
    """mean(A) − mean(B) + mean(C)."""
    return group_mean(z, a) - group_mean(z, b) + group_mean(z, c)


def noise_around(center: Tensor, n: int, scale: float = NOISE, seed: int = 0) -> Tensor:
    """n points center + U(−scale, scale) per coordinate (n×nz), from a generator seeded by `seed`."""
    u = torch.rand(n, center.shape[-1], generator=torch.Generator().manual_seed(seed), dtype=center.dtype)
    return center + (u * 2 - 1) * scale


def direction(z: Tensor, a: Sequence[int], b: Sequence[int]) -> Tensor:
    """The attribute direction mean(A) − mean(B)."""
    return group_mean(z, a) - group_mean(z, b)


def along(bases: Tensor, d: Tensor, strengths: Sequence[float]) -> Tensor:
    """base + s·d for every base (rows) and strength (columns): K×S×nz. Strength 0 is the base itself."""
    s = torch.as_tensor(list(strengths), dtype=bases.dtype)
    return bases[:, None, :] + s[None, :, None] * d[None, None, :]


def _sheet(run: Run, sheet: str | Path) -> Tensor:
    require_images(run, VERB)
    if run.config.model.conditional:
        raise ConfigError("zerosum arithmetic works on unconditional runs; a conditional G also needs its labels mixed")
    return load_sheet(sheet, run.generator.nz, hint=f"zerosum sample {run.path} --numbered")


def _group_rows(images: Tensor, groups: dict[str, list[int]], means: Tensor) -> list[list]:
    """One picture row per group: its exemplars (labelled with their ids), then the image of their mean."""
    rows, offset = [], 0
    for g, (name, ids) in enumerate(groups.items()):
        row = [(images[offset + i], f"{name} #{j}") for i, j in enumerate(ids)]
        rows.append([*row, (means[g], f"mean {name}")])
        offset += len(ids)
    return rows


def explore_arithmetic(
    run: Run,
    sheet: str | Path,
    a: Sequence[int],
    b: Sequence[int],
    c: Sequence[int],
    *,
    noise: float = NOISE,
    neighbours: int = NEIGHBOURS,
    seed: int = 0,
    out: str | Path | None = None,
) -> dict[str, Any]:
    """A − B + C on the means of the sheet's z at those ids; writes the picture (a row per group with its mean, then
    the result and its noisy neighbours) and the record. Returns the record with "picture" and "record" paths."""
    z = _sheet(run, sheet)
    groups = {name: check_ids(ids, len(z), f"--{name.lower()}") for name, ids in (("A", a), ("B", b), ("C", c))}
    if noise < 0 or neighbours < 0:
        raise ConfigError(f"--noise {noise} and --neighbours {neighbours} must not be negative")
    picture, record_path = output_paths(run, VERB, out)
    means = torch.stack([group_mean(z, ids) for ids in groups.values()])
    result = means[0] - means[1] + means[2]
    near = noise_around(result, neighbours, noise, seed)
    members = torch.cat([z[ids] for ids in groups.values()])
    images = generate(run, torch.cat([members, means, result[None], near]))
    m = len(members)
    rows = _group_rows(images, groups, images[m : m + 3])
    rows.append([(images[m + 3], "A-B+C"), *((images[m + 4 + i], f"noise {i + 1}") for i in range(neighbours))])
    save_png(picture, labelled_rows(rows, run.generator.output_range or (0.0, 1.0)))
    record = {
        "sheet": Path(sheet),
        "a": groups["A"],
        "b": groups["B"],
        "c": groups["C"],
        "mean_norms": {name: float(mean.norm()) for name, mean in zip(groups, means, strict=True)},
        "result_z": result,
        "result_norm": float(result.norm()),
        "noise": noise,
        "neighbours": neighbours,
        "seed": seed,
        "picture": picture,
    }
    write_record(record_path, run, VERB, record)
    return {**record, "record": record_path}


def explore_direction(
    run: Run,
    sheet: str | Path,
    a: Sequence[int],
    b: Sequence[int],
    *,
    strengths: Sequence[float] = STRENGTHS,
    base_ids: Sequence[int] | None = None,
    base_seeds: Sequence[int] | None = None,
    seed: int = 0,
    out: str | Path | None = None,
) -> dict[str, Any]:
    """Walk d = mean(A) − mean(B) from several bases: rows A and B (exemplars and mean), then one row per base with
    base + s·d per strength. Bases: sheet ids, seeds (one z each), or DEFAULT_BASES random z from `seed`."""
    z = _sheet(run, sheet)
    groups = {"A": check_ids(a, len(z), "--a"), "B": check_ids(b, len(z), "--b")}
    if base_ids is not None and base_seeds is not None:
        raise ConfigError("give --base (sheet ids) or --base-seeds, not both")
    if not strengths:
        raise ConfigError("--strengths is empty: give numbers like -2,-1,0,1,2")
    if base_ids is not None:
        bases, names = z[check_ids(base_ids, len(z), "--base")], [f"#{i}" for i in base_ids]
    elif base_seeds is not None:
        bases, names = seed_z(run, base_seeds), [f"seed {s}" for s in base_seeds]
    else:
        gen = torch.Generator().manual_seed(seed)
        bases = run.generator.sample_z(DEFAULT_BASES, generator=gen, device="cpu")
        names = [f"z{i}" for i in range(DEFAULT_BASES)]
    picture, record_path = output_paths(run, VERB, out)
    means = torch.stack([group_mean(z, ids) for ids in groups.values()])
    d = means[0] - means[1]
    walked = along(bases, d, strengths)
    members = torch.cat([z[ids] for ids in groups.values()])
    images = generate(run, torch.cat([members, means, walked.reshape(-1, walked.shape[-1])]))
    m = len(members)
    rows = _group_rows(images, groups, images[m : m + 2])
    grid = images[m + 2 :].reshape(len(bases), len(strengths), *images.shape[1:])
    for r, name in enumerate(names):
        rows.append([(grid[r, j], name if s == 0 else f"{s:+g}") for j, s in enumerate(strengths)])
    save_png(picture, labelled_rows(rows, run.generator.output_range or (0.0, 1.0)))
    record = {
        "mode": "direction",
        "sheet": Path(sheet),
        "a": groups["A"],
        "b": groups["B"],
        "mean_norms": {"A": float(means[0].norm()), "B": float(means[1].norm())},
        "direction_z": d,
        "direction_norm": float(d.norm()),
        "strengths": list(strengths),
        "bases": names,
        "base_z": bases,
        "seed": seed,
        "picture": picture,
    }
    write_record(record_path, run, VERB, record)
    return {**record, "record": record_path}
