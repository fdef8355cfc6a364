"""`zerosum sample RUN`: a grid (or a scatter of points) of samples; `--numbered` also keeps each cell's z."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sample", help="draw samples from a trained run")
    s.add_argument("run_dir")
    s.add_argument("--n", type=int, default=64)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", help="PNG to write: a grid, or a scatter for point data (default RUN_DIR/sample_seedS.png)")
    s.add_argument("--npz", help="also save raw samples and their z to this .npz")
    s.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")
    s.add_argument("--labels", help="comma-separated classes for a conditional run, e.g. 3,7")
    s.add_argument("--nrow", type=int, help="images per grid row")
    s.add_argument(
        "--numbered",
        action="store_true",
        help="print each cell's id on the grid and save the z beside it (same stem, .npz) for `zerosum arithmetic`",
    )
    s.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import zerosum
    from zerosum.explore import parse_ints
    from zerosum.sampling import save_grid, save_npz

    run = zerosum.load_run(args.run_dir, args.checkpoint)
    labels = parse_ints(args.labels, "--labels") if args.labels else None
    samples = zerosum.sample(run, args.n, seed=args.seed, labels=labels)
    out = Path(args.out) if args.out else Path(args.run_dir) / f"sample_seed{args.seed}.png"
    sheet = None
    if args.numbered:
        from zerosum.explore import require_images
        from zerosum.latent.sheet import save_sheet

        require_images(run, "sample --numbered")
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
    return 0
