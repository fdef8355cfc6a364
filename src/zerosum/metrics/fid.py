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
from zerosum.metrics.inception import SHA1, inception_features, inception_network
from zerosum.metrics.reference import real_features, to_uint8
from zerosum.metrics.registry import EvalContext

EXTRACTOR = f"inception-{SHA1[:8]}"
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000


BACKEND_KEY = ("backend", "inception")


def context_features(ctx: EvalContext, images: Tensor, desc: str) -> Tensor:
    """Inception features on the evaluation's device and backend, with a progress bar and ETA; the backend that
    ran is noted in the context for the records."""
    ctx.memo(BACKEND_KEY, lambda: inception_network(ctx.backend, ctx.device).backend)
    return inception_features(images, device=ctx.device, desc=desc, backend=ctx.backend)


def _real(ctx: EvalContext, split: str) -> Tensor:
    extract = partial(context_features, ctx, desc=f"Inception features of {ctx.data.name} {split}")
    return ctx.memo(("inception-real", split), lambda: real_features(ctx.data, split, EXTRACTOR, extract))


def _fake(ctx: EvalContext, n: int) -> Tensor:
    desc = f"Inception features of {n} samples"
    return ctx.memo(("inception", n), lambda: context_features(ctx, to_uint8(ctx.samples(n)), desc))


def _backend(ctx: EvalContext) -> str | None:
    """What ran Inception in this evaluation ("auto" resolved), for the record."""
    return ctx.memo(BACKEND_KEY, lambda: None)


def _fid(ctx: EvalContext, n: int, split: str) -> dict[str, Any]:
    real, fake = _real(ctx, split), _fake(ctx, n)
    value = frechet_distance(*feature_stats(fake), *feature_stats(real))
    return {"value": value, "n_fake": len(fake), "n_real": len(real), "split": split, "backend": _backend(ctx)}


def _kid(ctx: EvalContext, n: int, split: str) -> dict[str, Any]:
    real, fake = _real(ctx, split), _fake(ctx, n)
    gen = torch.Generator().manual_seed(ctx.seed)
    mean, std = kid(fake, real, KID_SUBSETS, KID_SUBSET_SIZE, generator=gen)
    return {"value": mean, "std": std, "n_fake": len(fake), "n_real": len(real), "split": split,
            "subsets": KID_SUBSETS, "subset_size": min(KID_SUBSET_SIZE, len(fake), len(real)),
            "backend": _backend(ctx)}  # fmt: skip


# The protocols (declared in `catalogue`): the sample count and reference split are part of the name
fid10k_test = partial(_fid, n=10_000, split="test")
fid50k_train = partial(_fid, n=50_000, split="train")
fid2k_test = partial(_fid, n=2_000, split="test")
kid10k_test = partial(_kid, n=10_000, split="test")
kid2k_test = partial(_kid, n=2_000, split="test")
