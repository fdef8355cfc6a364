"""The `zerosum` command: parse, call the Python API, print. No logic lives here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from zerosum import verbs
from zerosum.errors import ZerosumError, one_line
from zerosum.version import VERSION

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zerosum", description="Train, sample and inspect GANs.")
    p.add_argument("--version", action="version", version=f"zerosum {VERSION}")
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    t = sub.add_parser("train", help="train a GAN from a preset (or resume a run)")
    t.add_argument("--preset", help="preset name (see `zerosum presets`)")
    t.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set train.steps=500 (repeatable)",
    )
    t.add_argument("--out", help="run directory to create (default runs/PRESET)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue this run from its newest readable checkpoint")
    t.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="with --resume: continue from this checkpoint (a path, or a name in RUN_DIR/checkpoints) instead",
    )
    t.add_argument("--data-root", help="folder holding the dataset (searched first)")
    t.add_argument(
        "--skip-bad-images",
        action="store_true",
        help="leave unreadable image files out (counted in the log) instead of stopping; same as "
        "--set data.skip_bad=true, and kept by --resume",
    )
    t.add_argument("--overwrite", action="store_true", help="replace an existing run directory at --out")
    t.add_argument(
        "--aside",
        action="store_true",
        help="move an existing run at --out (with its eval/ and explore/) to OUT.1, OUT.2, … and start afresh",
    )

    verbs.add_all(sub)  # sample and the explore verbs (interpolate, arithmetic, …)

    e = sub.add_parser("evaluate", help="measure a run with named metric protocols (see `zerosum metrics`)")
    e.add_argument("run_dir")
    e.add_argument("--metrics", required=True, help="comma-separated protocol names, e.g. fd_lenet,confident_lenet")
    e.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")
    e.add_argument("--seed", type=int, default=0, help="seed of the samples' noise")
    e.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    e.add_argument(
        "--backend",
        default="auto",
        help="what runs the feature networks: auto (the fastest installed), torch, openvino or onnxruntime",
    )

    r = sub.add_parser("reproduce", help="run a paper's experiment and write its results page (see --list)")
    r.add_argument("name", nargs="?", help="experiment name, or 'all'")
    r.add_argument("--list", action="store_true", help="list the experiments and their budgets")
    r.add_argument("--budget", default="fast", help="fast (minutes on a CPU) or paper (the papers' budgets)")
    r.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="override a budget parameter")
    r.add_argument("--out", default="runs/reproduce", help="where the runs go (default runs/reproduce)")
    r.add_argument(
        "--docs",
        help="write the page and RESULTS.md into this folder (e.g. the repository's docs) instead of beside the runs",
    )
    r.add_argument("--force", action="store_true", help="with --docs: write pages even when --param changes a budget")
    r.add_argument("--data-root", help="folder holding the datasets (searched first)")
    r.add_argument("--fresh", action="store_true", help="retrain even where a finished run can be reused")

    sub.add_parser("metrics", help="list the metric protocols")
    sub.add_parser("presets", help="list the presets")
    d = sub.add_parser("data", help="show which datasets are found where")
    d.add_argument("--data-root", help="an extra folder to search first")
    return p


def _train(args: argparse.Namespace) -> int:
    import zerosum

    if args.skip_bad_images:
        args.overrides = [*args.overrides, "data.skip_bad=true"]
    if args.resume:
        if args.preset or args.out:
            raise zerosum.ConfigError("--resume continues a run as configured; drop --preset/--out (use --set)")
        result = zerosum.resume(args.resume, overrides=args.overrides, checkpoint_path=args.checkpoint)
    else:
        if args.checkpoint:
            raise zerosum.ConfigError("--checkpoint chooses where --resume continues from; add --resume RUN_DIR")
        if not args.preset:
            raise zerosum.ConfigError("name a preset with --preset (see `zerosum presets`) or --resume RUN_DIR")
        result = zerosum.train(
            args.preset,
            overrides=args.overrides,
            out=args.out,
            data_root=args.data_root,
            overwrite=args.overwrite,
            aside=args.aside,
        )
    where = result.run_dir
    if result.rank != 0:  # under torchrun rank 0 speaks for all
        return 0 if result.status == "finished" else 128 + (result.signal or 15)
    ran = f"{result.steps_run} step{'' if result.steps_run == 1 else 's'}"
    ran += f" (from step {result.start_step})" if result.start_step else ""
    if result.status == "interrupted":
        stopped = f"interrupted at step {result.step} of {result.total_steps} after {ran}"
        print(f"{stopped}; checkpoint saved: {result.checkpoint}")
        local = os.environ.get("LOCAL_WORLD_SIZE")  # set by torchrun: processes on this machine
        launcher = f"torchrun --nproc_per_node {local} -m " if local else ""
        print(f"continue with: {launcher}zerosum train --resume {where}")
        return 128 + (result.signal or 2)  # the shell's convention for death by signal
    print(f"finished: {ran} in {result.seconds:.0f} s, step {result.step} of {result.total_steps} → {where}")
    print(f"samples: {where / 'samples.png'}   losses: {where / 'loss.png'}   checkpoint: {result.checkpoint}")
    if (where / "report.html").is_file():
        print(f"report: {where / 'report.html'} (opens offline in a browser; `zerosum serve` explores the run)")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import zerosum
    from zerosum.evaluation import EVAL_DIR, sample_count

    records = zerosum.evaluate(
        args.run_dir, args.metrics, checkpoint=args.checkpoint, seed=args.seed, device=args.device, backend=args.backend
    )
    rows = [("metric", "value", "better", "samples", "seconds")]
    for name, r in records.items():
        value = f"{r['value'] + 0.0:.6g}" if r["value"] is not None else "nan"  # + 0.0: no "-0"
        n = sample_count(r)
        better = "higher" if r["higher_is_better"] else "lower"
        rows.append((name, value, better, str(n) if n is not None else "-", f"{r['seconds']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:  # names and words to the left, numbers to the right
        cells = [c.ljust(w) if i in (0, 2) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())
    first = next(iter(records.values()))
    print(f"step {first['step']} ({first['checkpoint']}), seed {args.seed}")
    print(f"wrote {Path(args.run_dir) / EVAL_DIR}{os.sep}: {', '.join(f'{name}.json' for name in records)}")
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from zerosum import reproduce as rep

    if args.list or not args.name:
        if not args.list:
            raise ZerosumError("name an experiment (or 'all'); `zerosum reproduce --list` shows them")
        for exp in rep.experiments():
            print(f"{exp.name:<16} {exp.summary}")
            for budget, params in exp.budgets.items():
                print(f"{'':<16}   {budget}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
        return 0
    rep.check_budget(args.budget)
    params = rep.parse_params(args.param)
    if params and args.name == "all":
        raise ZerosumError("--param changes one experiment's budget; name that experiment instead of 'all'")
    names = [e.name for e in rep.experiments()] if args.name == "all" else [rep.get(args.name).name]
    for name in names:
        page = rep.reproduce(
            name,
            args.budget,
            params=params,
            out=args.out,
            docs=args.docs,
            data_root=args.data_root,
            fresh=args.fresh,
            force=args.force,
        )
        print(f"{name}: wrote {page} and {page.parent.parent / 'RESULTS.md'}")
    return 0


def _metrics(args: argparse.Namespace) -> int:
    import zerosum

    metrics = zerosum.list_metrics()
    width = max(len(m.name) for m in metrics)
    for m in metrics:
        better = "higher is better" if m.higher_is_better else "lower is better"
        print(f"{m.name:<{width}}  {better:<16}  datasets: {', '.join(m.datasets) or 'any'}")
        print(f"{'':<{width}}  {m.description}")
        print(f"{'':<{width}}  comparable to: {m.comparable}")
    return 0


def _presets(args: argparse.Namespace) -> int:
    from zerosum.timings import preset_rows

    rows = preset_rows()
    width = max(len(r.name) for r in rows)
    for r in rows:
        print(f"{r.name:<{width}}  {r.steps:>7,} steps  {r.time_text:>12}  {r.description}")
    measured = sorted({(r.hardware, r.date) for r in rows if r.minutes is not None})
    for hardware, date in measured:  # where the times come from: they hold for that machine
        print(f"times: a whole run (steps, previews, checkpoints) measured on {hardware}, {date}")
    return 0


def _data(args: argparse.Namespace) -> int:
    from zerosum.data import describe_sources

    for row in describe_sources(args.data_root):
        if row.get("path"):
            where = f"{row['path']}  ({row['source']})"
        elif row.get("source"):
            where = f"({row['source']})"
        elif row["name"] == "folder":
            where = "(your own images: --set data.name=PATH_TO_FOLDER_ZIP_OR_TAR)"
        else:
            where = "not found" + (" (downloadable)" if row.get("downloadable") else "")
        print(f"{row['name']:<16} {where}")
    return 0


VERBS = {
    "train": _train,
    "evaluate": _evaluate,
    "reproduce": _reproduce,
    "metrics": _metrics,
    "presets": _presets,
    "data": _data,
}


def _progress_logs() -> logging.Handler:
    """Show zerosum's INFO lines (e.g. the progress of a 40-minute FID) on stderr while a verb runs."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("zerosum: %(message)s"))
    logger = logging.getLogger("zerosum")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def main(argv: list[str] | None = None) -> int:
    """Run one verb. Heavy imports (torch) happen inside the handlers, so Ctrl-C while they load is one line."""
    log_handler = _progress_logs()
    try:
        args = _parser().parse_args(argv)
        verb = getattr(args, "handler", None) or VERBS[args.verb]
        return verb(args)
    except ZerosumError as err:
        print(f"zerosum: error: {one_line(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("zerosum: stopped", file=sys.stderr)
        return 130
    finally:
        logging.getLogger("zerosum").removeHandler(log_handler)


if __name__ == "__main__":
    sys.exit(main())
