"""FID and KID between two sets of real images: the floor a perfect generator would reach under `fid10k_test`.

    python benchmarks/fid_real_vs_real.py [--dataset mnist] [--n 10000]

Compares the first N test images with the first N training images of the dataset on the Inception pool-3
features that `fid10k_test` uses, and the test images with themselves (FID must be ~0). Features of both sets go
to the feature cache, so the test split's are reused by every later `fid10k_test` / `kid10k_test` evaluation.
Prints a table with the wall time of each step and the CPU threads used.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import time

import torch

from zerosum.config import DataConfig
from zerosum.metrics.fid import EXTRACTOR, KID_SUBSET_SIZE, KID_SUBSETS, _extract
from zerosum.metrics.frechet import feature_stats, frechet_distance, kid
from zerosum.metrics.reference import real_features


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--n", type=int, default=10_000, help="images from each split")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data = DataConfig(name=args.dataset)

    rows = []
    t0 = time.perf_counter()
    test = real_features(data, "test", EXTRACTOR, _extract, limit=args.n)
    t_test = time.perf_counter() - t0
    t0 = time.perf_counter()
    train = real_features(data, "train", EXTRACTOR, _extract, limit=args.n)
    t_train = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats_test, stats_train = feature_stats(test), feature_stats(train)
    rows.append(("FID test vs train", frechet_distance(*stats_test, *stats_train)))
    rows.append(("FID test vs itself", frechet_distance(*stats_test, *stats_test)))
    mean, std = kid(test, train, KID_SUBSETS, KID_SUBSET_SIZE, generator=torch.Generator().manual_seed(0))
    rows.append(("KID test vs train", mean))
    rows.append(("KID std over subsets", std))
    t_stats = time.perf_counter() - t0

    print(f"\n{args.dataset}: {len(test)} test vs {len(train)} train images, Inception pool-3 ({EXTRACTOR})")
    print(f"{'quantity':<24} {'value':>12}")
    for name, value in rows:
        print(f"{name:<24} {value:>12.6g}")
    print(f"\n{'step':<24} {'seconds':>12}")
    for name, seconds in (("features test", t_test), ("features train", t_train), ("FID + KID", t_stats)):
        print(f"{name:<24} {seconds:>12.1f}")
    cpu = platform.processor() or platform.machine()
    print(f"\n{cpu}, {os.cpu_count()} cores, torch {torch.__version__} with {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
