"""Mode-coverage protocols on data whose modes are known: the 2-D mixtures and Stacked MNIST.

These are the mode-collapse benchmarks of the unrolled GAN (Metz et al. 2017), VEEGAN (Srivastava et al. 2017)
and PacGAN (Lin et al. 2018); the statistics themselves are `zerosum.metrics.modes`. The sample counts are the
papers' (2,500 points, 26,000 images) and are part of the protocol's name, like every other metric here; the
protocols are declared in `catalogue`.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from zerosum.data import PointSet, load_dataset
from zerosum.errors import ConfigError
from zerosum.metrics import classifier as clf
from zerosum.metrics.catalogue import STACKED_SHAPE
from zerosum.metrics.modes import mode_stats, stacked_mode_stats
from zerosum.metrics.registry import EvalContext
from zerosum.sizes import shape_text

N_TOY_SAMPLES = 2_500
N_STACKED_SAMPLES = 26_000


def _toy_modes(ctx: EvalContext) -> dict[str, Any]:
    """Mode statistics of 2,500 samples against the means and std of the run's own mixture (params included)."""
    data = load_dataset(ctx.data)
    if not isinstance(data, PointSet) or data.modes is None:
        raise ConfigError(f"mode coverage needs a Gaussian-mixture dataset (ring-8, grid-25), not {ctx.dataset!r}")
    x = ctx.samples(N_TOY_SAMPLES)
    stats = mode_stats(x, data.modes, data.std)
    return {
        "value": stats["modes"],
        "n_modes": stats["n_modes"],
        "high_quality": stats["high_quality"],
        "kl": stats["kl"],
        "n_samples": len(x),
    }


def modes_ring8(ctx: EvalContext) -> dict[str, Any]:
    return _toy_modes(ctx)


def modes_grid25(ctx: EvalContext) -> dict[str, Any]:
    return _toy_modes(ctx)


def _stacked_digits(ctx: EvalContext) -> Tensor:
    """The digit the MNIST LeNet sees in each channel of 26,000 samples (N×3), once per evaluation."""

    def compute() -> Tensor:
        x = ctx.samples(N_STACKED_SAMPLES)
        if x.dim() != 4 or tuple(x.shape[1:]) != STACKED_SHAPE:
            raise ConfigError(
                f"modes_stacked_mnist needs {shape_text(STACKED_SHAPE)} samples, got {shape_text(x.shape[1:])}; "
                "train stacked-mnist with data.size=28 and 3 channels"
            )
        model = clf.get_classifier("mnist")
        channels = x.reshape(-1, 1, *STACKED_SHAPE[1:])  # row 3i + c is channel c of sample i
        return clf.classify(model, channels).argmax(1).view(-1, 3)

    return ctx.memo(("stacked_digits", N_STACKED_SAMPLES), compute)


def modes_stacked_mnist(ctx: EvalContext) -> dict[str, Any]:
    digits = _stacked_digits(ctx)
    stats = stacked_mode_stats(digits)
    return {"value": stats["modes"], "n_modes": stats["n_modes"], "kl": stats["kl"], "n_samples": len(digits)}
