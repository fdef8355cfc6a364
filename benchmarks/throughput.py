"""Training throughput: zerosum's step against a loop written the way the PyTorch DCGAN tutorial writes it.

    python benchmarks/throughput.py [--models dcgan-28,dcgan-64] [--batch 128] [--seconds 10] [--rounds 2] [--json]

Both sides train the same G and D (zerosum's modules) on the same random uint8 images, in one process, in
alternating timed rounds after a warm-up. The reference is the tutorial's recipe: fp32, a Dataset that turns each
item into a normalised float tensor, a DataLoader, a Sigmoid on D and BCELoss, a fresh G forward for the D- and the
G-step. zerosum's side is `train_step` with the fast switches listed in FAST (channels_last where it helps, the
shared G pass), and its batches come from the in-memory uint8 tensor by index.

Prints images/s per side, their ratio and a peak memory per side (GPU: torch's peak allocation during that side's
rounds; CPU: the process's resident high-water mark, reset before each side, so it includes the other side's
models and data, which stay in memory, and tells the two apart only by what a side adds on top). `--json` prints
the rows as a list of {"model", "batch", "impl", "img_per_s", "peak_mb"}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from zerosum.config import DataInfo, resolve
from zerosum.data import ImageSet
from zerosum.losses import get_loss
from zerosum.runtime import resolve_device
from zerosum.training.state import build_state
from zerosum.training.step import train_step

# model name → (preset, data shape, overrides shared by both sides)
MODELS: dict[str, tuple[str, tuple[int, int, int], list[str]]] = {
    "mlp-mnist": ("gan-mnist", (1, 28, 28), []),
    "dcgan-28": ("dcgan-mnist", (1, 28, 28), ["train.ema=0"]),
    "dcgan-32": ("dcgan-cifar10", (3, 32, 32), ["train.ema=0"]),
    "dcgan-64": ("dcgan-faces", (3, 64, 64), ["train.ema=0"]),
}
# zerosum's fast switches per model, as measured on a 2-core AVX-512 CPU with torch 2.13: bf16 autocast is 20×
# *slower* than fp32 in zerosum's DCGAN step there (13 vs 276 img/s on dcgan-32), so it stays off until that is fixed
FAST: dict[str, list[str]] = {
    "mlp-mnist": ["train.reuse_fake=true"],
    "dcgan-28": ["train.reuse_fake=true"],
    "dcgan-32": ["train.reuse_fake=true", "train.channels_last=true"],
    "dcgan-64": ["train.reuse_fake=true", "train.channels_last=true"],
}
N_IMAGES = 4096


def _images(shape: tuple[int, int, int]) -> torch.Tensor:
    return torch.randint(0, 256, (N_IMAGES, *shape), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


def zerosum_runner(model: str, batch: int, device: torch.device) -> Callable[[], int]:
    preset, shape, shared = MODELS[model]
    cfg = resolve(preset, [*shared, *FAST[model], f"train.batch_size={batch}", "train.progress=false"])
    data = ImageSet(_images(shape), torch.zeros(N_IMAGES, dtype=torch.long), (), model)
    cfg.data_info = DataInfo(kind="image", shape=list(shape))
    state = build_state(cfg, shape, 0, len(data), pixel_mean=data.pixel_mean(), device=device)
    loss, value_range = get_loss(cfg.train.loss), state.G.output_range

    def step() -> int:
        train_step(state, data, loss, cfg.train, device, value_range, 0)
        return batch

    return step


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


def _reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    elif Path("/proc/self/clear_refs").exists():
        Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the resident-set high-water mark


def _peak_mb(device: torch.device) -> float | None:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _timed(step: Callable[[], int], seconds: float, device: torch.device) -> float:
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        done += step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return done / (time.perf_counter() - t0)


def measure(model: str, batch: int, seconds: float, rounds: int, device: torch.device) -> list[dict]:
    runners = {"zerosum": zerosum_runner(model, batch, device), "reference": reference_runner(model, batch, device)}
    rates: dict[str, list[float]] = {name: [] for name in runners}
    peaks: dict[str, float | None] = {}
    for step in runners.values():  # warm-up: allocator, autotuning, first-call overheads
        step(), step()
    for _ in range(rounds):
        for name, step in runners.items():
            _reset_peak(device)
            rates[name].append(_timed(step, seconds, device))
            peaks[name] = _peak_mb(device)
    return [
        {"model": model, "batch": batch, "impl": name, "img_per_s": max(rates[name]), "peak_mb": peaks[name]}
        for name in runners
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, from {', '.join(MODELS)}")
    p.add_argument("--batch", default="128", help="batch size(s), comma-separated")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each timed round")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per side; the best is kept")
    p.add_argument("--device", default="auto")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = p.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {unknown}; choose from {', '.join(MODELS)}")
    device = resolve_device(args.device)
    rows = [
        r for m in models for b in args.batch.split(",") for r in measure(m, int(b), args.seconds, args.rounds, device)
    ]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(
        f"{'model':<10} {'batch':>5} {'zerosum img/s':>14} {'reference img/s':>16} {'ratio':>6} {'peak MB z/ref':>14}"
    )
    for z, ref in zip(rows[::2], rows[1::2], strict=True):
        peak = f"{z['peak_mb'] or 0:.0f}/{ref['peak_mb'] or 0:.0f}"
        ratio = z["img_per_s"] / ref["img_per_s"]
        rates = f"{z['img_per_s']:>14.0f} {ref['img_per_s']:>16.0f}"
        print(f"{z['model']:<10} {z['batch']:>5} {rates} {ratio:>6.2f} {peak:>14}")
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    print(f"\n{where}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
