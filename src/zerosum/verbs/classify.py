"""`zerosum classify RUN`: a semi-supervised run's D as the classifier it was trained to be — its accuracy and
errors on a split of the run's dataset, per class, written as JSON (default RUN/explore/classify.json)."""

from __future__ import annotations

import argparse
import json

VERB = "classify"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(VERB, help="a semi-supervised run's D as a classifier: accuracy on a split")
    p.add_argument("run_dir")
    p.add_argument("--split", default="test", choices=("train", "test"), help="the split to classify (default test)")
    p.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")
    p.add_argument("--out", help="JSON to write (default RUN_DIR/explore/classify.json)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from pathlib import Path

    from zerosum.atomic import atomic_write_text
    from zerosum.fewlabels.classify import require_classifier, split_accuracy
    from zerosum.run import load_run

    run = require_classifier(load_run(args.run_dir, args.checkpoint), "zerosum classify")
    result = split_accuracy(run, args.split)
    out = Path(args.out) if args.out else run.path / "explore" / "classify.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {"run": str(run.path), "checkpoint": str(run.checkpoint), "split": args.split, **asdict(result)}
    atomic_write_text(out, json.dumps(record, indent=2) + "\n")
    worst = min(range(len(result.per_class)), key=result.per_class.__getitem__)
    share = f"{100 * result.accuracy:.2f}% ({result.errors:,} errors in {result.n:,})"
    weakest = f"worst class {worst} at {100 * result.per_class[worst]:.1f}%"
    print(f"{run.config.data.name} {args.split}: accuracy {share}; {weakest}")
    print(f"wrote {out}")
    return 0
