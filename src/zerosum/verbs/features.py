"""`zerosum features RUN`: how good a representation the trained D learned (DCGAN paper §5.1).

Prints accuracy per method, writes a picture (accuracy bars + SVM confusion matrix) and the JSON record, by default
RUN/explore/features.png and .json.
"""

from __future__ import annotations

import argparse

from zerosum.errors import ConfigError
from zerosum.verbs import add_output_args

VERB = "features"


def _labels(text: str) -> int | None:
    """'1000' → 1000; 'all' or '0' → None (the whole train split)."""
    if text.strip().lower() in ("all", "0"):
        return None
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise ConfigError(f"--labels {text!r}: give a count such as 1000, or 'all'") from None
    if value < 0:
        raise ConfigError(f"--labels {text!r}: give a positive count, or 'all'")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(VERB, help="D's features + a linear SVM as a classifier, vs a supervised baseline")
    p.add_argument("run_dir")
    p.add_argument("--dataset", help="a labelled dataset of the run's image shape (default: the run's own)")
    p.add_argument("--labels", default="1000", help="labelled train images per seed, or 'all' (default 1000)")
    p.add_argument("--seeds", type=int, default=5, help="labelled subsets drawn, one per seed (default 5)")
    p.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also train D's architecture from scratch on the same labels (default on)",
    )
    p.add_argument("--max-train", type=int, help="with --labels all: use a class-balanced subset of this many")
    p.add_argument("--epochs", type=int, default=30, help="baseline epochs at most (early-stopped; default 30)")
    p.add_argument("--data-root", help="folder holding the dataset (searched first)")
    add_output_args(p, "features", "picture")
    p.set_defaults(handler=_run)


def table(record: dict) -> list[str]:
    """Aligned lines: method, labels, accuracy mean ± std, seconds."""
    labels = ("all " if record["all_labels"] else "") + f"{record['labels']:,}"
    rows = [("method", "labels", "accuracy", "seeds", "seconds")]
    for name, m in record["methods"].items():
        acc = f"{100 * m['mean']:.2f} ± {100 * m['std']:.2f} %"
        rows.append((name, labels, acc, str(len(m["per_seed"])), f"{m['seconds']:.0f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            for r in rows]  # fmt: skip


def _run(args: argparse.Namespace) -> int:
    from zerosum.explore import output_paths, write_record
    from zerosum.representation import evaluate_features, plot_record
    from zerosum.run import load_run, require_gan

    labels = _labels(args.labels)
    if args.epochs < 1:
        raise ConfigError(f"--epochs {args.epochs}: give at least 1")
    run = require_gan(load_run(args.run_dir, args.checkpoint), "features")
    picture, record_path = output_paths(run, VERB, args.out)
    record = evaluate_features(
        run,
        args.dataset,
        labels=labels,
        seeds=args.seeds,
        baseline=args.baseline,
        max_train=args.max_train,
        epochs=args.epochs,
        data_root=args.data_root,
    )
    plot_record(record, picture)
    write_record(record_path, run, VERB, record)
    for line in table(record):
        print(line)
    capped = f", capped to a class-balanced {record['labels']:,}" if record["capped"] else ""
    print(f"{record['dataset']}: {record['feature_dim']:,} features, test split {record['test_size']:,}{capped}")
    print(f"wrote {picture} and {record_path}")
    return 0
