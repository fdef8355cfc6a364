"""Training throughput: zerosum's step against a loop written the way the PyTorch DCGAN tutorial writes it.

    python benchmarks/throughput.py [--models dcgan-28,dcgan-64] [--batch 128] [--seconds 10] [--rounds 2]
                                    [--device auto|cpu|cuda] [--compile] [--set train.amp=bf16] [--json]
                                    [--profile] [--peak-seconds 3]

Both sides train the same G and D (zerosum's modules) on the same random uint8 images, in one process, in
alternating timed rounds after a warm-up. The reference is the tutorial's recipe: fp32, a Dataset that turns each
item into a normalised float tensor, a DataLoader, a Sigmoid on D and BCELoss, and one G forward pass whose output
serves the D- and the G-step. zerosum's side is `train_step` with the trainer's own defaults for this machine
(`train.amp` and `train.channels_last` on auto, printed below the table) and the same shared G pass
(`train.reuse_fake`); its batches come from the in-memory uint8 tensor by index.

Prints images/s per side, their ratio, the time of one MNIST epoch (60,000 images) at zerosum's dcgan-28 rate,
and each side's peak memory: on a GPU torch's peak allocation during that side's rounds; on the CPU the resident
high-water mark of a separate process that builds only that side and runs a few steps.

It also prints what each side achieves in GFLOP/s, against the machine's fp32 matmul rate measured in the same run
(benchmarks/machine_peak.py, at the start and at the end, the higher kept): the FLOPs of one step per image are
counted once per side, outside the timed rounds, by torch's FlopCounterMode (matmuls and convolutions, forward and
backward, whatever the dtype), and times the best rate give GFLOP/s. The yardstick is fp32: where zerosum's side
runs bf16 (`train.amp`), its share of it can pass 100%. `--profile` runs torch.profiler over a few of zerosum's
steps per model and prints where the time goes (convolutions forward and backward, batch norm, activations,
optimizer, the rest) and the top 10 ops.

`--json` prints only the rows, one JSON list on stdout, each {"model", "batch", "impl", "img_per_s", "peak_mb",
"gflop_per_img", "gflop_per_s", "peak_gflop_per_s", "of_peak"} (of_peak a fraction) and, under `--profile`,
zerosum's rows with "profile": {category: share of the step time}; the profiler's tables then go to stderr.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from machine_peak import matmul_peak_gflops  # benchmarks/ (on sys.path when this runs as a script)
from step_costs import count_flops, profile_step
from torch import nn

from zerosum.config import DataInfo, resolve
from zerosum.data import ImageSet
from zerosum.data.dataset import place
from zerosum.losses import get_loss
from zerosum.runtime import describe_hardware, resolve_device
from zerosum.training.state import build_state
from zerosum.training.step import train_step

# model name → (preset, data shape, overrides shared by both sides)
MODELS: dict[str, tuple[str, tuple[int, int, int], list[str]]] = {
    "mlp-mnist": ("gan-mnist", (1, 28, 28), []),
    "dcgan-28": ("dcgan-mnist", (1, 28, 28), ["train.ema=0"]),
    "dcgan-32": ("dcgan-cifar10", (3, 32, 32), ["train.ema=0"]),
    "dcgan-64": ("dcgan-faces", (3, 64, 64), ["train.ema=0"]),
}
# zerosum's side: the trainer's defaults (fast paths on auto) and the tutorial's shared G pass
FAST = ["train.reuse_fake=true", "train.amp=auto", "train.channels_last=auto"]  # + --compile / --set
N_IMAGES = 4096
MNIST_EPOCH = 60_000
PROFILE_STEPS = 5
PEAK_N = 2048  # the fp32 matmul peak: PEAK_N×PEAK_N @ PEAK_N×PEAK_N


def _images(shape: tuple[int, int, int]) -> torch.Tensor:
    return torch.randint(0, 256, (N_IMAGES, *shape), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


def zerosum_runner(model: str, batch: int, device: torch.device) -> Callable[[], int]:
    preset, shape, shared = MODELS[model]
    cfg = resolve(preset, [*shared, *FAST, f"train.batch_size={batch}", "train.progress=false"])
    data = place(ImageSet(_images(shape), torch.zeros(N_IMAGES, dtype=torch.long), (), model), device)
    cfg.data_info = DataInfo(kind="image", shape=list(shape))
    state = build_state(cfg, shape, 0, len(data), pixel_mean=data.pixel_mean(), device=device)
    loss, value_range = get_loss(cfg.train.loss), state.G.output_range
    CHOSEN[model] = f"amp={cfg.train.amp}, channels_last={cfg.train.channels_last}"

    def step() -> int:
        train_step(state, data, loss, cfg.train, device, value_range, 0)
        return batch

    return step


CHOSEN: dict[str, str] = {}  # model → the fast paths zerosum's side resolved to
PROFILES: list[str] = []  # --profile: per model and batch, where zerosum's step time goes, as printable text


class _PerItem(torch.utils.data.Dataset):
    """The tutorial's data path: every item becomes a float tensor and is normalised on its own."""

    def __init__(self, images: torch.Tensor, value_range: tuple[float, float]) -> None:
        self.images, (self.lo, self.hi) = images, value_range

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> torch.Tensor:
        x = self.images[i].float() / 255  # ToTensor
        return x * (self.hi - self.lo) + self.lo  # Normalize


def reference_runner(model: str, batch: int, device: torch.device) -> Callable[[], int]:
    preset, shape, shared = MODELS[model]
    cfg = resolve(preset, [*shared, f"train.batch_size={batch}"])
    state = build_state(cfg, shape, 0, N_IMAGES, device=device)
    G, D = state.G, nn.Sequential(state.D, nn.Sigmoid())
    loader = torch.utils.data.DataLoader(_PerItem(_images(shape), G.output_range), batch, shuffle=True, drop_last=True)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCELoss()
    batches = iter(loader)

    def step() -> int:
        nonlocal batches
        try:
            real = next(batches)
        except StopIteration:
            batches = iter(loader)
            real = next(batches)
        real = real.to(device)
        ones, zeros = torch.ones(len(real), device=device), torch.zeros(len(real), device=device)
        D.zero_grad()
        err_real = bce(D(real).view(-1), ones)
        err_real.backward()
        fake = G(G.sample_z(len(real)).to(device))
        err_fake = bce(D(fake.detach()).view(-1), zeros)
        err_fake.backward()
        opt_d.step()
        G.zero_grad()
        bce(D(fake).view(-1), ones).backward()
        opt_g.step()
        return len(real)

    return step


RUNNERS: dict[str, Callable[[str, int, torch.device], Callable[[], int]]] = {
    "zerosum": zerosum_runner,
    "reference": reference_runner,
}


def _peak_mb(device: torch.device) -> float | None:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _cpu_peak_mb(model: str, impl: str, batch: int) -> float | None:
    """A fresh process holds one side only, so its resident high-water mark is that side's peak."""
    cmd = [sys.executable, __file__, "--peak-of", f"{model},{impl},{batch}", *(f"--set={o}" for o in FAST)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    return float(out[-1]) if out and out[-1] != "None" else None


def _peak_of(spec: str) -> None:
    model, impl, batch = spec.split(",")
    step = RUNNERS[impl](model, int(batch), torch.device("cpu"))
    for _ in range(3):
        step()
    print(_peak_mb(torch.device("cpu")))


def _timed(step: Callable[[], int], seconds: float, device: torch.device) -> float:
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        done += step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return done / (time.perf_counter() - t0)


def _profile(model: str, batch: int, step: Callable[[], int], device: torch.device) -> dict[str, float]:
    shares, table, step_s = profile_step(step, PROFILE_STEPS, device)
    lines = [f"where zerosum's {model} step goes, batch {batch}: {step_s * 1000:.0f} ms a step over {PROFILE_STEPS}"]
    lines += [f"  {cat:<24} {share:>4.0%}" for cat, share in shares.items()]
    PROFILES.append("\n".join([*lines, table]))
    return shares


def measure(model: str, batch: int, seconds: float, rounds: int, device: torch.device, profile: bool) -> list[dict]:
    runners = {name: make(model, batch, device) for name, make in RUNNERS.items()}
    rates: dict[str, list[float]] = {name: [] for name in runners}
    peaks: dict[str, float | None] = {}
    for step in runners.values():  # warm-up: allocator, autotuning, first-call overheads, torch.compile
        step(), step()
    # one more step each, untimed, and one after it; not sooner: a first call under FlopCounterMode would leave
    # --compile's models uncompiled for good
    flops = {name: count_flops(step) for name, step in runners.items()}
    for step in runners.values():
        step()
    for _ in range(rounds):
        for name, step in runners.items():
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            rates[name].append(_timed(step, seconds, device))
            if device.type == "cuda":
                peaks[name] = _peak_mb(device)
    if device.type != "cuda":
        peaks = {name: _cpu_peak_mb(model, name, batch) for name in runners}
    rows = [
        {
            "model": model,
            "batch": batch,
            "impl": name,
            "img_per_s": max(rates[name]),
            "peak_mb": peaks[name],
            "gflop_per_img": flops[name] / 1e9,
        }
        for name in runners
    ]
    if profile:
        rows[0]["profile"] = _profile(model, batch, runners["zerosum"], device)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, from {', '.join(MODELS)}")
    p.add_argument("--batch", default="128", help="batch size(s), comma-separated")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each timed round")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per side; the best is kept")
    p.add_argument("--device", default="auto")
    p.add_argument("--json", action="store_true", help="print only the rows, as one JSON list")
    p.add_argument("--compile", action="store_true", help="zerosum's side with train.compile=true")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override zerosum's side")
    p.add_argument("--profile", action="store_true", help="where zerosum's step time goes, per model")
    p.add_argument("--peak-seconds", type=float, default=3.0, help="length of each fp32 matmul peak measurement")
    p.add_argument("--peak-of", help=argparse.SUPPRESS)  # internal: MODEL,IMPL,BATCH → that side's CPU peak
    args = p.parse_args()
    FAST.extend(["train.compile=true"] * args.compile + args.set)
    if args.peak_of:
        _peak_of(args.peak_of)
        return
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {unknown}; choose from {', '.join(MODELS)}")
    device = resolve_device(args.device)
    peak_start = matmul_peak_gflops(args.peak_seconds, PEAK_N, device)
    rows = [
        r
        for m in models
        for b in args.batch.split(",")
        for r in measure(m, int(b), args.seconds, args.rounds, device, args.profile)
    ]
    peak_end = matmul_peak_gflops(args.peak_seconds, PEAK_N, device)
    peak = max(peak_start, peak_end)
    for r in rows:
        r["gflop_per_s"] = r["gflop_per_img"] * r["img_per_s"]
        r.update(peak_gflop_per_s=peak, of_peak=r["gflop_per_s"] / peak)
    if args.json:
        for text in PROFILES:
            print(text, end="\n\n", file=sys.stderr)
        print(json.dumps(rows, indent=1))
        return
    print(
        f"{'model':<10} {'batch':>5} {'zerosum img/s':>14} {'reference img/s':>16} {'ratio':>6} {'peak MB z/ref':>14}"
        f" {'GFLOP/img z/ref':>16} {'GFLOP/s z/ref':>14} {'% of peak z/ref':>16}"
    )
    for z, ref in zip(rows[::2], rows[1::2], strict=True):
        mb = f"{z['peak_mb'] or 0:.0f}/{ref['peak_mb'] or 0:.0f}"
        ratio = z["img_per_s"] / ref["img_per_s"]
        rates = f"{z['img_per_s']:>14.0f} {ref['img_per_s']:>16.0f}"
        per_img = f"{z['gflop_per_img']:.3f}/{ref['gflop_per_img']:.3f}"
        per_s = f"{z['gflop_per_s']:.0f}/{ref['gflop_per_s']:.0f}"
        of_peak = f"{z['of_peak']:.0%}/{ref['of_peak']:.0%}"
        print(
            f"{z['model']:<10} {z['batch']:>5} {rates} {ratio:>6.2f} {mb:>14} {per_img:>16} {per_s:>14} {of_peak:>16}"
        )
    print(
        f"\nfp32 matmul peak ({PEAK_N}×{PEAK_N} @ {PEAK_N}×{PEAK_N}, {args.peak_seconds:g} s at the start and at "
        f"the end): {peak:.0f} GFLOP/s (start {peak_start:.0f}, end {peak_end:.0f})"
    )
    for z in rows[::2]:
        if z["model"] == "dcgan-28":
            print(
                f"\nMNIST epoch ({MNIST_EPOCH:,} images) at zerosum's dcgan-28 rate, batch {z['batch']}: "
                f"{MNIST_EPOCH / z['img_per_s']:.0f} s"
            )
    print("\nzerosum's fast paths: " + "; ".join(f"{m}: {c}" for m, c in CHOSEN.items()))
    print(f"{describe_hardware(device)}, {torch.get_num_threads()} threads")
    for text in PROFILES:
        print(f"\n{text}")


if __name__ == "__main__":
    main()
