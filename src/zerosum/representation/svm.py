"""The validation split and the regularised linear L2-SVM of the DCGAN paper's representation protocol.

Labelled subsets are class-balanced and seeded (`data.labels.balanced_subset`). The SVM's C is picked on a
class-balanced validation part held out from the labelled set (never on the test split), then the SVM is refitted
on all labelled images with that C. Features are standardised with statistics of the images the SVM is fitted on:
D's layers differ in scale by orders of magnitude, and an L2 penalty on unscaled features would mostly silence the
small ones.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from zerosum.errors import ConfigError

C_GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)  # log-spaced; see `choose_and_fit` for why it stops at 1
VAL_FRACTION = 0.2
MAX_ITER = 2000
PATIENCE = 2  # C values in a row below the best before the ascent stops


def validation_split(labels: np.ndarray, seed: int, fraction: float = VAL_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """(fit, validation) positions into `labels`: `fraction` of each class (at least one) held out, seeded."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed + 1_000_003)  # another stream than the subset's own draw
    fit, val = [], []
    for c in np.unique(labels):
        pool = rng.permutation(np.flatnonzero(labels == c))
        if len(pool) < 2:
            raise ConfigError(f"class {c} has {len(pool)} labelled image; ask for at least 2 labels per class")
        n_val = min(max(1, round(fraction * len(pool))), len(pool) - 1)
        val.append(pool[:n_val])
        fit.append(pool[n_val:])
    return np.sort(np.concatenate(fit)), np.sort(np.concatenate(val))


class RowSpace(TransformerMixin, BaseEstimator):
    """Coordinates in an orthonormal basis Q of the training rows' span, when there are fewer rows than columns.

    An exact speed-up, not an approximation: an L2-regularised linear model's optimal w lies in the span of the
    training rows (the representer theorem; liblinear's regularised intercept does not change that), so fitting on
    X·Q (n×n, triangular) and predicting from x·Q gives the same decision values as on X (n×d). liblinear's cost
    per pass is the number of non-zeros, so 1,000 labels × 3,584 features become 1,000 × 1,000 / 2.
    """

    def fit(self, x: np.ndarray, y: np.ndarray | None = None) -> RowSpace:
        self.fit_transform(x)
        return self

    def fit_transform(self, x: np.ndarray, y: np.ndarray | None = None, **_: object) -> np.ndarray:
        n, d = x.shape
        if n >= d:
            self.basis_ = None
            return x
        # torch's QR: numpy's took 15 s where torch's took 1 s for 3,584 × 1,000 on the CPUs measured.
        q, r = torch.linalg.qr(torch.from_numpy(np.ascontiguousarray(x.T, dtype=np.float64)), mode="reduced")
        self.basis_ = q.numpy()
        return np.ascontiguousarray(r.T.numpy())  # x = rᵀ·qᵀ, so x·q = rᵀ: exactly lower-triangular

    def transform(self, x: np.ndarray) -> np.ndarray:
        return x if self.basis_ is None else x @ self.basis_


def make_svm(c: float, n: int, d: int, max_iter: int = MAX_ITER, reduce: bool = True) -> Pipeline:
    """Standardisation (+ RowSpace) + LinearSVC(squared hinge, L2) for n samples of d features.

    liblinear's dual solver costs O(n) per coordinate pass and its primal Newton solver O(n·d) per step, so the
    dual is used when n ≤ d (liblinear's own advice, which `dual="auto"` would get wrong on RowSpace's square
    n×n output) and the primal when n > d.
    """
    svm = LinearSVC(C=c, loss="squared_hinge", penalty="l2", dual=n <= d, max_iter=max_iter, random_state=0)
    return make_pipeline(StandardScaler(), *([RowSpace()] if reduce and n < d else []), svm)


@dataclass
class SvmFit:
    """The refitted SVM, the chosen C, the validation accuracy of every C tried, and solver warnings."""

    model: Pipeline
    c: float
    val_accuracy: dict[float, float]
    seconds: float
    unconverged: int = 0
    notes: list[str] = field(default_factory=list)


def _fit(model: Pipeline, x: np.ndarray, y: np.ndarray) -> int:
    """Fit, returning 1 when liblinear stopped at max_iter (the result is still usable, only less exact)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(x, y)
    return int(any(issubclass(w.category, ConvergenceWarning) for w in caught))


def accuracy(model: Pipeline, x: np.ndarray, y: np.ndarray) -> float:
    return float((model.predict(x) == np.asarray(y)).mean())


def choose_and_fit(
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    grid: tuple[float, ...] = C_GRID,
    max_iter: int = MAX_ITER,
    patience: int = PATIENCE,
) -> SvmFit:
    """Pick C on a held-out validation part of (x, y), then refit on all of (x, y) with it.

    Ties go to the smallest C (the most regularised model). With standardised features of a few thousand
    dimensions the data are separable well below C = 1, and larger C only slows liblinear down. C is tried
    from small to large and the ascent stops once `patience` C values in a row score below the best so far:
    the fit time grows with C (at 10,000 CIFAR-10 images, from seconds to the better part of an hour) while the
    validation curve has one peak; `val_accuracy` holds only the C values tried.
    """
    tic = time.perf_counter()
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    fit, val = validation_split(y, seed)
    scores, unconverged, worse = {}, 0, 0
    for c in sorted(grid):
        model = make_svm(c, len(fit), x.shape[1], max_iter)
        unconverged += _fit(model, x[fit], y[fit])
        scores[float(c)] = accuracy(model, x[val], y[val])
        worse = worse + 1 if scores[float(c)] < max(scores.values()) else 0
        if worse >= patience:
            break
    best = max(scores, key=lambda c: (scores[c], -c))
    model = make_svm(best, *x.shape, max_iter)
    unconverged += _fit(model, x, y)
    return SvmFit(model, best, scores, time.perf_counter() - tic, unconverged)
