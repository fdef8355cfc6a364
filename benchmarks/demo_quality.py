"""How legible are a generator's digits? Grades 10k samples with the independent MNIST classifier.

    python benchmarks/demo_quality.py [runs/demo | samples.npz] [--n 10000] [--dataset mnist] [--seed 0]

Prints the share of samples the classifier is confident about (max softmax > 0.9), the entropy of the predicted
class histogram (log 10 = 2.303 when every class is equally common) and the per-class counts, next to the same
numbers for the real test images as a reference. A GAN's own D cannot grade G; this classifier never saw a sample.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import torch

from zerosum.metrics import classifier as clf


def load_samples(source: Path, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """N×1×28×28 float images in [0, 1] from a run directory (its sampling generator) or an .npz of samples,
    with the labels they were drawn for (conditional runs) or None."""
    if source.suffix == ".npz":
        saved = np.load(source)
        images = torch.from_numpy(saved["images"][:n])
        labels = torch.from_numpy(saved["labels"][:n]) if "labels" in saved else None
        return (images.float() / 255 if images.dtype == torch.uint8 else images.float().clamp(0, 1)), labels
    import zerosum

    run = zerosum.load_run(source)
    samples = zerosum.sample(run, n, seed=seed)
    lo, hi = samples.value_range
    return ((samples.images - lo) / (hi - lo)).clamp(0, 1), samples.y


def summarize(model: torch.nn.Module, images01: torch.Tensor, labels: torch.Tensor | None) -> dict:
    probs = clf.classify(model, images01)
    counts = torch.bincount(probs.argmax(1), minlength=10).tolist()
    return {
        "agree": (probs.argmax(1) == labels).float().mean().item() if labels is not None else float("nan"),
        "n": len(probs),
        "confident": clf.confident_share(probs, 0.9),
        "confident99": clf.confident_share(probs, 0.99),
        "mean_max_p": probs.max(1).values.mean().item(),
        "entropy": clf.class_histogram_entropy(probs),
        "counts": counts,
    }


def print_table(rows: dict[str, dict]) -> None:
    print(
        f"{'source':<28}{'n':>7}{'p>0.9':>8}{'p>0.99':>8}{'mean p':>8}{'label':>7}{'H(class)':>10}"
        "   per-class counts 0..9"
    )
    for name, r in rows.items():
        counts = " ".join(f"{c:>5}" for c in r["counts"])
        print(
            f"{name[-28:]:<28}{r['n']:>7}{r['confident']:>8.3f}{r['confident99']:>8.3f}"
            f"{r['mean_max_p']:>8.3f}{r['agree']:>7.3f}{r['entropy']:>10.3f}   {counts}"
        )
    print(f"(uniform class histogram: H = {math.log(10):.3f}; label = share classified as the class it was drawn for)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", default="runs/demo", help="run directory or .npz with key 'images'")
    ap.add_argument("--n", type=int, default=10_000, help="number of samples (default 10000)")
    ap.add_argument("--dataset", default="mnist", choices=clf.DATASETS)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    model = clf.get_classifier(args.dataset)
    real, real_labels = clf.load_split(args.dataset, "test")
    rows = {
        str(args.source): summarize(model, *load_samples(Path(args.source), args.n, args.seed)),
        f"real {args.dataset} test": summarize(model, real[: args.n].float() / 255, real_labels[: args.n]),
    }
    print(f"classifier: LeNet, test accuracy {model.test_accuracy:.4f}")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
