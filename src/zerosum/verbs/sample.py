"""`zerosum sample RUN`: a grid (or a scatter of points) of samples; `--numbered` also keeps each cell's z,
`--npz` the raw samples, `--png-dir` one PNG per sample (for FID tools)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sample", help="draw samples from a trained run")
    s.add_argument("run_dir")
    s.add_argument("--n", type=int, default=64)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", help="PNG to write: a grid, or a scatter for point data (default RUN_DIR/sample_seedS.png)")
    s.add_argument("--npz", help="also save raw samples and their z to this .npz")
    s.add_argument(
        "--png-dir",
        metavar="DIR",
        help="also write one PNG per sample, DIR/000000.png, … (what FID tools read); DIR must be new or empty; "
        "the grid is then written only when --out names it",
    )
    s.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")
    s.add_argument(
        "--labels",
        help="comma-separated classes for a conditional run: indices or the class names of its config.yaml, "
        "e.g. 3,7 or cat,dog",
    )
    s.add_argument("--nrow", type=int, help="images per grid row")
    s.add_argument(
        "--numbered",
        action="store_true",
        help="print each cell's id on the grid and save the z beside it (same stem, .npz) for `zerosum arithmetic`",
    )
    s.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import zerosum
    from zerosum.explore import require_images
    from zerosum.sampling import check_png_dir, save_grid, save_npz, save_png_dir

    if args.png_dir:
        check_png_dir(args.png_dir)  # before the samples are drawn
    run = zerosum.load_run(args.run_dir, args.checkpoint)
    for flag in ("png_dir", "numbered"):
        if getattr(args, flag):
            require_images(run, f"sample --{flag.replace('_', '-')}")
    labels = [part.strip() for part in args.labels.split(",")] if args.labels is not None else None
    samples = zerosum.sample(run, args.n, seed=args.seed, labels=labels)
    out = Path(args.out) if args.out else Path(args.run_dir) / f"sample_seed{args.seed}.png"
    sheet = None
    if args.out or args.numbered or not args.png_dir:  # 50,000 PNGs for FID want no grid unless --out asks
        if args.numbered:
            from zerosum.latent.sheet import save_sheet

            _, sheet = save_sheet(samples, out, nrow=args.nrow)
        elif run.config.data_info.kind == "image":
            save_grid(samples, out, nrow=args.nrow)
        else:
            from zerosum.plots import plot_points

            plot_points(None, samples.images.numpy(), out, title=f"{args.n} samples, step {run.step}")
        print(f"wrote {out} ({args.n} samples, step {run.step})")
    if sheet is not None:
        print(f"wrote {sheet} (the z of each numbered cell, for `zerosum arithmetic --sheet`)")
    if args.npz:
        save_npz(samples, Path(args.npz))
        print(f"wrote {args.npz}")
    if args.png_dir:
        folder = save_png_dir(samples, args.png_dir)
        print(f"wrote {folder}{os.sep} ({args.n} PNGs, step {run.step})")
    return 0
