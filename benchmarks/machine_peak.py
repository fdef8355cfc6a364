"""This machine's fp32 matmul rate, the yardstick for a benchmark's achieved GFLOP/s.

    python benchmarks/machine_peak.py [--seconds 3] [--n 2048] [--device cpu|cuda]

A training step's GFLOP/s alone says little; its ratio to what the same cores reach on one large fp32 matmul says
how near their limit the step runs, so how much a faster kernel could still gain. Other benchmarks import it the
way a script in benchmarks/ can (that folder is on sys.path when one runs `python benchmarks/x.py`):

    from machine_peak import matmul_peak_gflops
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _rate(product: Callable[[], object], flops: float, seconds: float, device: torch.device) -> float:
    """FLOP/s of `product`: the best of timed repetitions over about `seconds`, at least three, after a warm-up;
    one repetition is enough calls for ~50 ms, so that launches and synchronisation do not count on a GPU."""

    def run(k: int) -> float:  # seconds for k calls
        _sync(device)
        t0 = time.perf_counter()
        for _ in range(k):
            product()
        _sync(device)
        return time.perf_counter() - t0

    run(1), run(1)  # warm-up: thread pool, BLAS/cuBLAS handles and workspaces, clocks
    k = max(1, math.ceil(0.05 / run(1)))
    best, reps, end = 0.0, 0, time.perf_counter() + seconds
    while reps < 3 or time.perf_counter() < end:
        best, reps = max(best, flops * k / run(k)), reps + 1
    return best


def matmul_rates(seconds: float = 3.0, n: int = 2048, device: str | torch.device = "cpu") -> dict[str, float]:
    """GFLOP/s of an n×n @ n×n fp32 matmul (2n³ FLOPs) per library, with torch's current thread count and matmul
    settings (on a GPU TF32 counts if `torch.backends.cuda.matmul.allow_tf32` is on), `seconds` shared among them.

    torch.mm everywhere; on a CPU also the same product as a 1×1 convolution through oneDNN, the library of
    torch's CPU convolutions. They can differ twofold: MKL's sgemm, behind torch.mm, takes its AVX2 path on AMD
    CPUs, while oneDNN uses AVX-512 where the CPU has it, so torch.mm alone can put a DCGAN's convolutions above
    100% of the "peak"."""
    device = torch.device(device)
    gen = torch.Generator().manual_seed(0)
    a, b = (torch.randn(n, n, generator=gen).to(device) for _ in range(2))
    out = torch.empty(n, n, device=device)
    products: dict[str, Callable[[], object]] = {"torch.mm": lambda: torch.mm(a, b, out=out)}
    if device.type == "cpu" and torch.backends.mkldnn.is_available():
        # a as n pixels of n channels, b as n 1×1 filters, both NHWC (a contiguous weight takes a slower path)
        x, w = (
            m.T.reshape(shape).contiguous(memory_format=torch.channels_last)
            for m, shape in ((a, (1, n, 1, n)), (b, (n, n, 1, 1)))
        )
        products["oneDNN 1×1 conv"] = lambda: F.conv2d(x, w)
    share = seconds / len(products)
    return {name: _rate(product, 2 * n**3, share, device) / 1e9 for name, product in products.items()}


def matmul_peak_gflops(seconds: float = 3.0, n: int = 2048, device: str | torch.device = "cpu") -> float:
    """The fp32 matmul rate of this machine in GFLOP/s: the faster of `matmul_rates`, measured over `seconds`."""
    return max(matmul_rates(seconds, n, device).values())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--n", type=int, default=2048)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    rates = matmul_rates(args.seconds, args.n, args.device)
    where = f"{torch.get_num_threads()} threads" if torch.device(args.device).type == "cpu" else args.device
    each = ", ".join(f"{name} {gflops:.0f}" for name, gflops in rates.items())
    print(f"fp32 matmul {args.n}×{args.n} ({where}): {max(rates.values()):.0f} GFLOP/s ({each})")


if __name__ == "__main__":
    main()
