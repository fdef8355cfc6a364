"""`zerosum report RUN`: the run's report as one offline HTML page (curves, previews, metrics, checkpoints)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "report",
        help="write a run's report: one self-contained HTML page that opens offline",
        description="A run directory gives RUN/report.html; a reproduce record (results/NAME.json) gives NAME.html.",
    )
    r.add_argument("run_dir", metavar="RUN", help="a run directory, or a reproduce record results/NAME.json")
    r.add_argument("--out", help="the .html file to write (default RUN/report.html)")
    r.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from zerosum.report import write_report

    print(write_report(args.run_dir, args.out))
    return 0
