"""How long each preset trains on this machine: the numbers `zerosum presets` shows.

    python benchmarks/preset_times.py [--presets demo,dcgan-mnist] [--short 10] [--long 40] [--write]

Each preset trains twice through `zerosum.train` (the real loop: fast paths, EMA, R1, logging) for `--short` and
`--long` steps (more for cheap steps, so the extra steps last ≥ 8 s); the difference over the extra steps is the
seconds per step, free of start-up and the final save.
A preset's full run is then estimated as steps × s/step, plus its previews, checkpoints and evaluations, which the
short runs do not show. Image presets whose dataset is not built in train on random images of the preset's shape
(the step's cost depends on the shape, not the pixels), so the table needs no downloads. Prints a table;
`--write` stores it in zerosum/presets/timings.json with the hardware and date. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from PIL import Image

import zerosum
from zerosum.config import load_preset_raw, preset_names, resolve
from zerosum.runtime import describe_hardware, resolve_device
from zerosum.timings import TIMINGS_FILE

BUILT_IN = {"mnist", "stacked-mnist", "objects", "shapes", "toy-1d", "ring-8", "grid-25"}
MIN_SECONDS = 8.0  # the extra steps of the long run last at least about this long, so timer noise stays small
QUIET = ["train.tensorboard=false", "train.progress=false", "train.sample_every=100000", "train.ckpt_every=100000"]


def _random_folder(root: Path, shape: tuple[int, int, int], n: int, classes: int = 0) -> Path:
    """n random images of (C, H, W) as PNGs: a stand-in for a dataset of that shape; with `classes`, spread over
    that many class sub-folders (for presets that read labels)."""
    rng = np.random.default_rng(0)
    c, h, w = shape
    for i in range(n):
        folder = root / f"class{i % classes}" if classes else root
        folder.mkdir(parents=True, exist_ok=True)
        arr = rng.integers(0, 256, (h, w) if c == 1 else (h, w, 3), dtype=np.uint8)
        Image.fromarray(arr).save(folder / f"{i:04d}.png")
    return root


def _data_overrides(name: str, work: Path) -> list[str]:
    cfg = resolve(name)
    if cfg.data.name in BUILT_IN:
        return [f"data.limit={max(4 * cfg.train.batch_size, 512)}"] if cfg.data.name != "toy-1d" else []
    size = cfg.data.size or (32 if cfg.data.name == "cifar10" else 28)
    channels = cfg.data.channels or (1 if cfg.data.name in ("fashion-mnist", "olivetti-faces") else 3)
    labelled = cfg.data.labelled
    n = max(2 * cfg.train.batch_size, 2 * (labelled or 0))
    folder = _random_folder(work / name, (channels, size, size), n, classes=10 if cfg.model.needs_classes else 0)
    held_out = ["data.pairs.test_classes=[]"] if cfg.data.pairs is not None else []  # a random folder has no classes
    return [f"data.name={folder}", f"data.size={size}", f"data.channels={channels}", "data.split=all", *held_out]


def _fit_seconds(name: str, steps: int, data: list[str], work: Path) -> float:
    out = work / f"{name}-{steps}-{len(list(work.iterdir()))}"  # a fresh folder for every timed run
    result = zerosum.train(name, overrides=[*data, *QUIET, f"train.steps={steps}"], out=out)
    return result.seconds


def _extras(name: str, s_per_step: float) -> float:
    """Seconds a full run spends beside its steps: one preview grid and one checkpoint cost about a step each."""
    t = resolve(name).train
    return (t.steps // t.sample_every + t.steps // t.ckpt_every) * s_per_step


def _s_per_step(name: str, short: int, long: int, data: list[str], work: Path) -> float:
    _fit_seconds(name, 2, data, work)  # warm-up: first-call costs of the kernels
    a = _fit_seconds(name, short, data, work)
    long = max(long, short + math.ceil(MIN_SECONDS * short / max(a, 1e-3)))  # cheap steps: time more of them
    b = _fit_seconds(name, long, data, work)
    return max(b - a, 1e-9) / (long - short)


def measure(name: str, short: int, long: int) -> dict:
    cfg = resolve(name)
    pixel = getattr(cfg.model, "pixel_steps", 0)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = _data_overrides(name, work)
        if pixel:  # SRGAN's two stages cost differently: time the GAN steps (D on) and the pixel steps apart
            s_gan = _s_per_step(name, short, long, [*data, "model.pixel_steps=0"], work)
            s_pixel = _s_per_step(name, short, long, [*data, "model.adv_weight=0"], work)
        else:
            s_gan = s_pixel = _s_per_step(name, short, long, data, work)
    steps = cfg.train.steps
    total = pixel * s_pixel + (steps - pixel) * s_gan
    s_per_step = total / steps
    total += _extras(name, s_per_step)
    return {"steps": steps, "s_per_step": round(s_per_step, 5), "minutes": round(total / 60, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--presets", default=",".join(preset_names()))
    p.add_argument("--short", type=int, default=10)
    p.add_argument("--long", type=int, default=40)
    p.add_argument("--write", action="store_true", help="store the table in zerosum/presets/timings.json")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.presets.split(",") if n.strip()]
    for n in names:
        load_preset_raw(n)  # unknown names fail before any training
    tic = time.perf_counter()
    rows = {}
    print(f"{'preset':<20} {'steps':>7} {'s/step':>8} {'minutes':>8}")
    for n in names:
        rows[n] = measure(n, args.short, args.long)
        r = rows[n]
        print(f"{n:<20} {r['steps']:>7,} {r['s_per_step']:>8.4f} {r['minutes']:>8.1f}", flush=True)
    hardware = describe_hardware(resolve_device("cpu"))
    print(f"\n{hardware}; {time.perf_counter() - tic:.0f} s wall")
    if args.write:
        date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        old = json.loads(TIMINGS_FILE.read_text())["presets"] if TIMINGS_FILE.is_file() else {}
        new = {n: {**r, "hardware": hardware, "date": date} for n, r in rows.items()}
        record = {"command": "python benchmarks/preset_times.py --write", "presets": {**old, **new}}
        TIMINGS_FILE.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {TIMINGS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
