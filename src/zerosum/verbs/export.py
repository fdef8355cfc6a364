"""`zerosum export RUN`: the generator as safetensors + JSON, for sharing a model without pickle (see export.py)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the generator as safetensors + JSON config (no pickle to load it)")
    p.add_argument("run_dir")
    p.add_argument("--out", help="folder to write (default RUN_DIR/export)")
    p.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")
    p.add_argument("--overwrite", action="store_true", help="replace an export already in --out")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from zerosum.export import META, WEIGHTS, export_generator
    from zerosum.run import load_run

    run = load_run(args.run_dir, args.checkpoint)
    folder = export_generator(run, args.out, overwrite=args.overwrite)
    which = "EMA generator" if run.G_ema is not None else "generator"
    print(f"wrote {folder / WEIGHTS} and {folder / META} ({which}, step {run.step})")
    print(f"sample from it with: zerosum sample {folder}")
    return 0
