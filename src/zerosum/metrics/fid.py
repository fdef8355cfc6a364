"""FID and KID protocols on Inception pool-3 features: the numbers papers report.

The name fixes the protocol. `fid10k_test` draws 10,000 samples and compares them with every image of the test
split; `fid50k_train` draws 50,000 against the whole training split (StyleGAN2-ADA's `fid50k_full`). FID is biased
upwards at small sample counts, so `fid2k_test` only ranks runs against each other. Generated images are rounded
to 8 bits before the network, as the reference code reads them from PNG files; real features are cached per
dataset and split (`reference`), and generated ones are shared by every protocol of one evaluation.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import torch
from torch import Tensor

from zerosum.metrics.frechet import feature_stats, frechet_distance, kid
from zerosum.metrics.inception import SHA1, inception_features
from zerosum.metrics.reference import real_features, to_uint8
from zerosum.metrics.registry import EvalContext, register

EXTRACTOR = f"inception-{SHA1[:8]}"
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000
NOT_COMPARABLE = "zerosum runs only: FID from 2,000 samples reads higher than any published 10k/50k FID"


def _extract(images: Tensor, device: str = "cpu", desc: str = "Inception features") -> Tensor:
    """Inception features with a progress bar and ETA (10k images take ~30 min on two CPU cores)."""
    return inception_features(images, device=device, desc=desc)


def _real(ctx: EvalContext, split: str) -> Tensor:
    extract = partial(_extract, device=ctx.device, desc=f"Inception features of {ctx.data.name} {split}")
    return ctx.memo(("inception-real", split), lambda: real_features(ctx.data, split, EXTRACTOR, extract))


def _fake(ctx: EvalContext, n: int) -> Tensor:
    desc = f"Inception features of {n} samples"
    return ctx.memo(("inception", n), lambda: _extract(to_uint8(ctx.samples(n)), device=ctx.device, desc=desc))


def _fid(ctx: EvalContext, n: int, split: str) -> dict[str, Any]:
    real, fake = _real(ctx, split), _fake(ctx, n)
    value = frechet_distance(*feature_stats(fake), *feature_stats(real))
    return {"value": value, "n_fake": len(fake), "n_real": len(real), "split": split}


def _kid(ctx: EvalContext, n: int, split: str) -> dict[str, Any]:
    real, fake = _real(ctx, split), _fake(ctx, n)
    gen = torch.Generator().manual_seed(ctx.seed)
    mean, std = kid(fake, real, KID_SUBSETS, KID_SUBSET_SIZE, generator=gen)
    return {"value": mean, "std": std, "n_fake": len(fake), "n_real": len(real), "split": split,
            "subsets": KID_SUBSETS, "subset_size": min(KID_SUBSET_SIZE, len(fake), len(real))}  # fmt: skip


# name, statistic, samples, reference split, description, comparable to
_PROTOCOLS = (
    ("fid10k_test", _fid, 10_000, "test", "FID, Inception pool-3 features: 10k samples vs every test-split image",
     "FIDs of 10k samples against the test split (e.g. CIFAR-10 FID tables that state '10k, test')"),
    ("fid50k_train", _fid, 50_000, "train",
     "FID, Inception pool-3 features: 50k samples vs every training image (hours on a CPU)",
     "StyleGAN2-ADA's fid50k_full and most CIFAR-10 FID tables (50k samples vs the training set)"),
    ("fid2k_test", _fid, 2_000, "test",
     "FID, Inception pool-3 features: 2k samples vs every test-split image (cheap; NOT comparable to papers)",
     NOT_COMPARABLE),
    ("kid10k_test", _kid, 10_000, "test",
     "KID (×1, not ×1000), Inception features: 10k samples vs the test split, 100 subsets of 1,000",
     "KID tables using 100 subsets of 1,000 (Bińkowski et al. 2018); papers often print KID×10³"),
    ("kid2k_test", _kid, 2_000, "test",
     "KID, Inception features: 2k samples vs the test split, 100 subsets of 1,000 (cheap; unbiased but noisier)",
     "KID is unbiased, so its mean matches kid10k_test's in expectation; its std is larger"),
)  # fmt: skip

for _name, _statistic, _n, _split, _description, _comparable in _PROTOCOLS:
    register(_name, _description, higher_is_better=False, comparable=_comparable, images_only=True)(
        partial(_statistic, n=_n, split=_split)
    )
