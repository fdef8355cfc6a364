"""The `parzen_mnist` protocol with real training digits in place of a generator's samples.

    python benchmarks/parzen_real.py [--dataset mnist] [--n 10000]

The first N training images (disjoint from the validation images train[50000:51000]) play the part of 10,000
generated samples. Prints the validation score of every σ in the paper's grid, the σ chosen, and the test-set
log-likelihood ± standard error: the number a generator that reproduced its training set would get.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from zerosum.config import DataConfig
from zerosum.metrics import get_metric, parzen
from zerosum.metrics.reference import real_images
from zerosum.metrics.registry import EvalContext

PROTOCOLS = {"mnist": "parzen_mnist", "fashion-mnist": "parzen_fashion"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="mnist", choices=sorted(PROTOCOLS))
    p.add_argument("--n", type=int, default=parzen.N_SAMPLES, help="training images used as samples")
    args = p.parse_args()
    if not 1 <= args.n <= parzen.VALIDATION.start:
        p.error(f"--n must lie in 1..{parzen.VALIDATION.start} so the samples stay apart from the validation images")
    data = DataConfig(name=args.dataset)
    samples = real_images(data, "train", limit=args.n).float() / 255
    parzen.N_SAMPLES = args.n
    ctx = EvalContext(draw=lambda n, seed: samples[:n], data=data)
    t0 = time.perf_counter()
    result = get_metric(PROTOCOLS[args.dataset], args.dataset).compute(ctx)
    seconds = time.perf_counter() - t0

    name, n, m = PROTOCOLS[args.dataset], result["n_samples"], result["n_test"]
    print(f"\n{name}: {n} training images as samples, {m} test images")
    print(f"{'sigma':>8} {'validation mean log-lik':>24}")
    for sigma, score in result["sigma_scores"].items():
        mark = "  <- chosen" if sigma == result["sigma"] else ""
        print(f"{sigma:>8.4f} {score:>24.2f}{mark}")
    print(f"\ntest log-likelihood: {result['value']:.1f} ± {result['stderr']:.1f}  (sigma {result['sigma']:.4f})")
    print(f"wall time {seconds:.1f} s, {os.cpu_count()} cores, torch {torch.__version__}")


if __name__ == "__main__":
    main()
