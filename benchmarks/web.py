"""The browser's numbers of docs/serve.md, measured by the browser tests themselves on a folder of real runs.

    python benchmarks/web.py [--runs runs] [--run demo] [--shots docs/images/serve] [--rounds 3]

Runs tests/web/test_browser.py (headless Chromium against `zerosum serve RUNS` started on a free port) with
ZEROSUM_WEB_RUNS/ZEROSUM_WEB_RUN naming the run to explore, and prints what the tests measured: the time from
opening the run's report file to its plots drawn, the page's own time from asking for a 64-sample grid to having
it (median of 5 seeds), and the frames per second the lab delivers while training ring-8 (over 4 s). `--rounds`
repeats the whole file and reports each number's median. With --shots the tests also save their screenshots there.
Last, in this process, what one lab frame of ring-8 costs the server at the default settings (median of 200): the 5
updates, then the decision map and the gradient field. Nothing else should use the CPU while this runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"report load": ("≤", 1.0), "64-sample grid (median of 5)": ("≤", 1.0), "lab updates on ring-8": ("≥", 10.0)}


def lab_frame_ms(frames: int = 200) -> tuple[float, float, float]:
    """Median milliseconds of one ring-8 frame: (all of it, the updates, the drawing)."""
    from zerosum.lab import LabSettings, ToyLab
    from zerosum.lab.views import Views

    lab = ToyLab(LabSettings(data="ring-8"))
    views = Views(lab)
    for _ in range(20):  # warm-up
        lab.step()
        views.frame()
    updates, drawing = [], []
    for _ in range(frames):
        t0 = time.perf_counter()
        lab.step()
        t1 = time.perf_counter()
        views.frame()
        updates.append(t1 - t0)
        drawing.append(time.perf_counter() - t1)
    total = [a + b for a, b in zip(updates, drawing, strict=True)]
    return tuple(1000 * statistics.median(v) for v in (total, updates, drawing))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", default="runs", help="the folder of runs to serve (default runs)")
    p.add_argument("--run", default="demo", help="the run to open, by its path under --runs (default demo)")
    p.add_argument("--shots", help="save the tests' screenshots in this folder")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    if not (Path(args.runs) / args.run / "config.yaml").is_file():
        sys.exit(f"benchmarks/web.py: {Path(args.runs) / args.run} is not a run; train it first (make demo)")
    values: dict[str, list[float]] = {}
    units: dict[str, str] = {}
    start = time.perf_counter()
    for _ in range(args.rounds):
        with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as f:
            timings = Path(f.name)
        env = {**os.environ, "ZEROSUM_WEB_RUNS": str(Path(args.runs).resolve()), "ZEROSUM_WEB_RUN": args.run,
               "ZEROSUM_WEB_TIMINGS": str(timings)}  # fmt: skip
        if args.shots:
            env["ZEROSUM_WEB_SHOTS"] = str(Path(args.shots).resolve())
        test = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/web/test_browser.py"]
        done = subprocess.run(test, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"the browser tests failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
        for line in timings.read_text().splitlines():
            row = json.loads(line)
            values.setdefault(row["name"], []).append(row["value"])
            units[row["name"]] = row["unit"]
        timings.unlink()
    from zerosum.runtime import describe_hardware

    print(f"{args.runs}/{args.run}, {args.rounds} rounds, {describe_hardware()}, {date.today()}, "
          f"{time.perf_counter() - start:.0f} s in all")  # fmt: skip
    print("| measure | median | rounds | target | met |\n|---|---|---|---|---|")
    for name, vals in values.items():
        median = statistics.median(vals)
        sign, goal = TARGETS.get(name, ("", None))
        met = "" if goal is None else ("yes" if (median <= goal if sign == "≤" else median >= goal) else "no")
        each = ", ".join(f"{v:.3g}" for v in vals)
        print(f"| {name} | {median:.3g} {units[name]} | {each} | {sign} {goal if goal is not None else ''} | {met} |")
    total, updates, drawing = lab_frame_ms()
    print(f"| one ring-8 lab frame, server side (median of 200) | {total:.1f} ms | {updates:.1f} ms the 5 updates, "
          f"{drawing:.1f} ms the drawing | | |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
