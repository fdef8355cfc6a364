"""How fast each backend runs the feature networks (and a generator), against this machine's fp32 matmul peak.

    python benchmarks/features_speed.py [--networks inception,lenet,generator] [--backends torch,openvino,...]
                                        [--batch 8,32,64] [--images 96] [--rounds 2] [--device cpu] [--json]

For every network × backend × batch size it times `--images` images (best of `--rounds`, after a warm-up batch)
and prints ms/image, images/s, GFLOP/s (FLOPs of one image counted with torch's FlopCounterMode on the eager
network) and that rate as a share of the fp32 matmul peak measured in the same run, before and after the rows.
The speed-up column is against eager torch at its best batch size. The networks:

- inception: the TF-Inception pool-3 network of FID/KID, on 32×32 images resized to 299×299 as FID does;
- lenet: the MNIST classifier's features and probabilities (the LeNet protocols, Stacked MNIST);
- generator: the dcgan-cifar10 preset's G (untrained; speed does not depend on the weights), drawing samples.

`inception_features(..., backend="auto")` takes the fastest faithful backend installed, in the order this table
gives (`zerosum.metrics.backends.CPU_ORDER`), at the batch size it finds fastest (`inception.CPU_BATCH_SIZES`).
`--json` prints the rows as one JSON array.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable

import torch
from machine_peak import matmul_peak_gflops
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from zerosum.config import resolve
from zerosum.metrics import backends, classifier, inception
from zerosum.runtime import describe_hardware, resolve_device
from zerosum.training.state import build_state

NETWORKS = ("inception", "lenet", "generator")


def _inception() -> tuple[Callable[[], nn.Module], Callable[[int], torch.Tensor], Callable | None]:
    images = torch.rand(256, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    return inception.load_inception, lambda n: inception.prepare(images[:n]), inception.read_inception


def _lenet() -> tuple[Callable[[], nn.Module], Callable[[int], torch.Tensor], Callable | None]:
    heads = classifier.LeNetHeads(classifier.LeNet().eval())  # untrained: same cost as the cached one
    images = torch.rand(4096, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    return lambda: heads, lambda n: images[:n], None


def _generator() -> tuple[Callable[[], nn.Module], Callable[[int], torch.Tensor], Callable | None]:
    cfg = resolve("dcgan-cifar10", ["train.progress=false"])
    G = build_state(cfg, (3, 32, 32), 0, 1000).G.eval()
    z = G.sample_z(4096)
    return lambda: G, lambda n: z[:n], None


SETUPS = {"inception": _inception, "lenet": _lenet, "generator": _generator}


def flops_per_image(model: nn.Module, x: torch.Tensor) -> float:
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops() / len(x)


def seconds_per_image(
    run: Callable[[torch.Tensor], torch.Tensor], batch: torch.Tensor, images: int, rounds: int
) -> float:
    """Best of `rounds` timings of ceil(images / batch) calls, after one warm-up call."""
    calls = max(1, -(-images // len(batch)))
    with torch.inference_mode():
        run(batch)
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(calls):
                run(batch)
            best = min(best, (time.perf_counter() - t0) / (calls * len(batch)))
    return best


def measure(network: str, names: list[str], batches: list[int], images: int, rounds: int, device) -> list[dict]:
    load, inputs, fresh = SETUPS[network]()
    flops = flops_per_image(load(), inputs(2))
    rows = []
    for backend in names:
        if backend != "torch" and not backends.installed(backend):
            print(f"{network}: {backend} is not installed ({backends.PIP[backend]}): skipped")
            continue
        tic = time.perf_counter()
        compiled = backends.compile_network(f"bench-{network}", load, inputs(2), backend, device, fresh=fresh)
        setup = time.perf_counter() - tic
        for b in batches:
            s = seconds_per_image(compiled.run, inputs(b).to(device), images, rounds)
            rows.append({"network": network, "backend": compiled.backend, "batch": b, "s_per_image": s,
                         "img_per_s": 1 / s, "gflop_per_image": flops / 1e9, "gflop_per_s": flops / s / 1e9,
                         "compile_s": setup})  # fmt: skip
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--networks", default=",".join(NETWORKS), help=f"comma-separated, from {', '.join(NETWORKS)}")
    p.add_argument("--backends", default="torch,openvino,onnxruntime")
    p.add_argument("--batch", default="", help="batch sizes, comma-separated (default: per network)")
    p.add_argument("--images", type=int, default=0, help="images per timing (default: per network)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--peak-seconds", type=float, default=3.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    warnings.simplefilter("ignore")  # TorchScript and ONNX export deprecations
    device = resolve_device(args.device)
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    defaults = {
        "inception": ([8, 16, 32, 50, 64], 100),
        "lenet": ([250, 1000], 4000),
        "generator": ([100, 250, 500], 2000),
    }
    peak_start = matmul_peak_gflops(args.peak_seconds, device=device)
    rows = []
    for network in [n.strip() for n in args.networks.split(",") if n.strip()]:
        batches, images = defaults[network]
        batches = [int(b) for b in args.batch.split(",")] if args.batch else batches
        rows += measure(network, names, batches, args.images or images, args.rounds, device)
    peak = max(peak_start, matmul_peak_gflops(args.peak_seconds, device=device))
    for r in rows:
        eager = min(x["s_per_image"] for x in rows if x["network"] == r["network"] and x["backend"] == "torch")
        r.update(peak_gflop_per_s=peak, of_peak=r["gflop_per_s"] / peak, speedup=eager / r["s_per_image"])
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'network':<10} {'backend':<12} {'batch':>5} {'ms/image':>9} {'img/s':>8} {'GFLOP/img':>9} "
          f"{'GFLOP/s':>8} {'of peak':>7} {'× eager':>7} {'compile s':>9}")  # fmt: skip
    for r in rows:
        print(f"{r['network']:<10} {r['backend']:<12} {r['batch']:>5} {r['s_per_image'] * 1e3:>9.3f} "
              f"{r['img_per_s']:>8.1f} {r['gflop_per_image']:>9.3f} {r['gflop_per_s']:>8.1f} {r['of_peak']:>7.0%} "
              f"{r['speedup']:>7.2f} {r['compile_s']:>9.1f}")  # fmt: skip
    print(f"\nfp32 matmul peak: {peak:.0f} GFLOP/s (best of the start and the end of the run: {peak_start:.0f} first)")
    print(f"{describe_hardware(device)}, {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
