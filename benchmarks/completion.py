"""Image completion table: zerosum (latent search + blend) against mean-colour fill and OpenCV Telea.

For each run given as LABEL=RUN_DIR it completes the first --n images of a seeded permutation of the run's
dataset's test split (a held-out set G never saw), hides them with --mask (center by default), and prints one
markdown table of hole PSNR / SSIM (mean ± std over images), then the command, the hardware and the wall times.

`--validation` takes the images from offset 5000 of the same permutation instead: a disjoint slice for choosing
steps / restarts / λ / blend, so the reported test images never steer the settings.

    ZEROSUM_DATA=... python benchmarks/completion.py --run mnist=runs/reproduce/fast/dcgan-mnist/dcgan-mnist \
        --run fashion=runs/reproduce/fast/dcgan-fashion/dcgan-fashion --n 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import torch

VALIDATION_OFFSET = 5000


def _hardware() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__} with {torch.get_num_threads()} threads"


def _logger(label: str):
    """Progress lines on stderr, so the table on stdout stays clean."""

    def log(msg: str) -> None:
        print(f"[{label}] {msg}", file=sys.stderr, flush=True)

    return log


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", action="append", required=True, metavar="LABEL=RUN_DIR", help="repeatable")
    p.add_argument("--n", type=int, default=200, help="test images per run (default 200)")
    p.add_argument("--mask", default="center")
    p.add_argument("--seed", type=int, default=0, help="seed of the image permutation and of the search")
    p.add_argument("--validation", action="store_true", help=f"use the slice at offset {VALIDATION_OFFSET}")
    p.add_argument("--steps", type=int)
    p.add_argument("--restarts", type=int)
    p.add_argument("--lam", type=float)
    p.add_argument("--lr", type=float)
    p.add_argument("--floor", type=float)
    p.add_argument("--window", type=int)
    p.add_argument("--blend")
    p.add_argument("--batch", type=int)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.add_argument("--json", help="also write the records (per image) to this file")
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    import zerosum
    from zerosum.completion.blend import blend
    from zerosum.completion.evaluate import Settings, dataset_images, evaluate, markdown_table, record, score
    from zerosum.completion.masks import make_mask
    from zerosum.completion.quality import mean_std

    chosen = {k: getattr(args, k) for k in ("steps", "restarts", "lam", "lr", "floor", "window", "blend", "batch")}
    settings = Settings(**{k: v for k, v in chosen.items() if v is not None}, seed=args.seed).check()
    offset = VALIDATION_OFFSET if args.validation else 0
    rows, records, walls, blends = [], {}, {}, []
    for item in args.run:
        label, _, path = item.partition("=")
        if not path:
            p.error(f"--run {item!r}: expected LABEL=RUN_DIR")
        start = time.perf_counter()
        run = zerosum.load_run(path)
        name = run.config.data.name
        images, ids = dataset_images(run, name, "test", args.n, args.seed, offset)
        known = make_mask(args.mask, int(images.shape[-1]), len(images), args.seed)
        ev = evaluate(run, images, known, settings, log=_logger(label))
        walls[label] = time.perf_counter() - start
        rows.append((f"{name} ({label})", ev))
        records[label] = record(ev, {"run": path, "dataset": name, "ids": ids.tolist(), "mask": args.mask})
        raw = ev.search.images.clamp(*ev.value_range)
        for method in ("none", "feather", "poisson"):
            out = blend(raw, ev.original, ev.known, method, ev.value_range)
            sc = score(out, ev.original, ev.known, ev.value_range)
            blends.append((label, method, mean_std(sc["psnr"]), mean_std(sc["ssim"])))

    which = f"validation slice (offset {offset})" if args.validation else "test images"
    print(f"\n### Image completion, {args.mask} mask, {args.n} {which} per dataset\n")
    print(markdown_table(rows))
    print("\nBlend of zerosum's G(z) (same search; hole scores):\n")
    print("| run | blend | hole PSNR (dB) | hole SSIM |\n|---|---|---:|---:|")
    for label, method, (pm, ps), (sm, ss) in blends:
        print(f"| {label} | {method} | {pm:.2f} ± {ps:.2f} | {sm:.3f} ± {ss:.3f} |")
    print(f"\nsettings: {settings}")
    print(f"command: python benchmarks/completion.py {shlex.join(sys.argv[1:] if argv is None else argv)}")
    print(f"hardware: {_hardware()}")
    print("wall time: " + ", ".join(f"{k} {v:.0f} s ({v / args.n:.2f} s/image)" for k, v in walls.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
