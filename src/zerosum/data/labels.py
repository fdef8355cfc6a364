"""Class-balanced labelled subsets: which images keep their labels in a few-label experiment.

A "100 labels" result depends on which 100 images were labelled, so subsets hold N / K images of each class (a
remainder of N mod K goes to randomly chosen classes) and are drawn with several seeds, each reproducible from its
seed alone. Used by `data.labelled` (the semi-supervised GAN, a conditional GAN trained on few labels), by
`zerosum augment` and by `zerosum features`.
"""

from __future__ import annotations

import numpy as np

from zerosum.errors import ConfigError


def balanced_subset(labels: np.ndarray, n: int, seed: int, num_classes: int | None = None) -> np.ndarray:
    """Sorted indices of n images, n // K of each class plus one more for (n mod K) random classes."""
    labels = np.asarray(labels)
    k = int(num_classes or labels.max() + 1)
    if n < 1:
        raise ConfigError(f"{n} labels: ask for at least one labelled image per class ({k} or more)")
    if n > len(labels):
        raise ConfigError(f"{n:,} labels asked for but the split has only {len(labels):,} images; ask for fewer")
    missing = [c for c in range(k) if not np.any(labels == c)]
    if missing:
        raise ConfigError(
            f"class {missing[0]} has no images in this split ({len(missing)} of {k} classes missing), so a "
            "class-balanced subset cannot be drawn; use a split that holds every class"
        )
    rng = np.random.default_rng(seed)
    counts = np.full(k, n // k)
    counts[rng.choice(k, n % k, replace=False)] += 1
    picks = []
    for c in range(k):
        pool = np.flatnonzero(labels == c)
        if len(pool) < counts[c]:
            raise ConfigError(
                f"{n:,} labels need {counts[c]} images of class {c} but the split has {len(pool)}; ask for fewer"
            )
        picks.append(rng.choice(pool, counts[c], replace=False))
    return np.sort(np.concatenate(picks))
