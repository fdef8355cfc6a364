"""Where do a mixture GAN's low-quality samples lie? Distances of 2,500 samples to their nearest mode.

    python benchmarks/mode_spread.py runs/reproduce/fast/ring-8/seed0 [more runs ...] [--n 2500] [--seed 0]

`modes_ring8` / `modes_grid25` count a sample as high quality within 3σ of a mode. When that share is low, this
tells two failures apart: clusters too wide (the median distance well above σ·√(2 ln 2) ≈ 1.18σ, the median of a
perfect 2-D fit) or tight clusters plus samples stranded between modes (median near 1.18σ, a long tail). On the
ring it also splits the spread along the ring (bridges between neighbours) from the spread across it.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

from zerosum.data import PointSet, load_dataset
from zerosum.errors import ZerosumError
from zerosum.run import load_run
from zerosum.sampling import sample


def spread(run_dir: Path, n: int, seed: int) -> dict[str, float]:
    run = load_run(run_dir)
    data = load_dataset(run.config.data)
    if not isinstance(data, PointSet) or data.modes is None:
        raise ZerosumError(f"{run_dir}: trained on {run.config.data.name}, not a Gaussian mixture (ring-8, grid-25)")
    x = sample(run, n, seed=seed).images.double()
    modes = data.modes.double()
    dist, nearest = torch.cdist(x, modes, compute_mode="donot_use_mm_for_euclid_dist").min(1)
    offset = x - modes[nearest]
    out = {
        "median/σ": float(dist.median()) / data.std,
        "≤ 3σ": float((dist <= 3 * data.std).double().mean()),
        "≤ 10σ": float((dist <= 10 * data.std).double().mean()),
    }
    radius = modes[nearest].norm(dim=1, keepdim=True)
    if bool((radius > 0).all()) and bool(torch.allclose(radius, radius[0])):  # modes on a circle: the ring
        across = (offset * modes[nearest] / radius).sum(1)
        along = offset[:, 0] * -modes[nearest][:, 1] / radius[:, 0] + offset[:, 1] * modes[nearest][:, 0] / radius[:, 0]
        out["std along ring"], out["std across ring"] = float(along.std()), float(across.std())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path, help="run directories of ring-8 / grid-25 models")
    ap.add_argument("--n", type=int, default=2500, help="samples per run (the protocols use 2,500)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(f"perfect fit: median/σ = {math.sqrt(2 * math.log(2)):.2f}, ≤ 3σ = {1 - math.exp(-4.5):.1%}")
    rows = []
    for run_dir in args.runs:
        try:
            rows.append((run_dir, spread(run_dir, args.n, args.seed)))
        except ZerosumError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    keys = list(dict.fromkeys(k for _, r in rows for k in r))
    print("| run | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for run_dir, r in rows:
        cells = [f"{r[k]:.1%}" if k.startswith("≤") else f"{r[k]:.3f}" if k in r else "—" for k in keys]
        print(f"| {run_dir} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
