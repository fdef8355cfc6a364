"""`zerosum augment`: a classifier trained on few labels, alone, with classic augmentation, and with a conditional
GAN's samples (docs/few-labels.md). Prints the labels × method table and writes OUT/augment.json, OUT/augment.png
(accuracy against labels) and a sheet of each cGAN's samples per class."""

from __future__ import annotations

import argparse
import json

from zerosum.errors import ConfigError
from zerosum.fewlabels import METHODS

VERB = "augment"


def _ints(text: str, flag: str) -> list[int]:
    try:
        return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: give comma-separated counts such as 100,1000") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(VERB, help="few labels: a classifier with and without a conditional GAN's samples")
    p.add_argument("--dataset", default="mnist", help="mnist or fashion-mnist (default mnist)")
    p.add_argument("--labels", default="100,600,1000,6000", help="label budgets (default 100,600,1000,6000)")
    p.add_argument("--seeds", type=int, default=3, help="labelled subsets per budget, one per seed (default 3)")
    p.add_argument("--methods", default=",".join(METHODS), help=f"any of {', '.join(METHODS)} (default all)")
    p.add_argument("--mix", type=float, default=1.0, help="generated images per labelled image in a batch (default 1)")
    p.add_argument("--cgan-all", help="a conditional run trained on every label (needed by cgan_all)")
    p.add_argument("--cgan-preset", default="cgan-mnist", help="preset of the cGANs trained on each subset")
    p.add_argument("--cgan-set", action="append", default=[], metavar="KEY=VALUE", help="override for those cGANs")
    p.add_argument("--steps", type=int, default=2000, help="classifier updates per method (default 2000)")
    p.add_argument("--out", default="runs/augment", help="folder for the cGAN runs, pictures and augment.json")
    p.add_argument("--data-root", help="folder holding the dataset (searched first)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from zerosum.atomic import atomic_write_text
    from zerosum.fewlabels.augment import augment, table_rows
    from zerosum.fewlabels.picture import plot_augment

    if args.steps < 1:
        raise ConfigError(f"--steps {args.steps}: give at least 1")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    out = Path(args.out)
    record = augment(
        args.dataset,
        _ints(args.labels, "--labels"),
        seeds=args.seeds,
        methods=methods,
        mix=args.mix,
        cgan_all=args.cgan_all,
        cgan_preset=args.cgan_preset,
        cgan_overrides=args.cgan_set,
        steps=args.steps,
        out=out,
        data_root=args.data_root,
    )
    out.mkdir(parents=True, exist_ok=True)
    picture = plot_augment(record, out / "augment.png")
    atomic_write_text(out / "augment.json", json.dumps(record, indent=2) + "\n")
    print("labels  " + "  ".join(f"{m:>16}" for m in record["methods"]))
    for cells in table_rows(record):
        print(f"{cells[0]:>6}  " + "  ".join(f"{c:>16}" for c in cells[1:]))
    print(f"test accuracy (%), mean ± std over {record['seeds']} seed(s); wrote {picture} and {out / 'augment.json'}")
    return 0
