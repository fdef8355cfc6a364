"""The supervised baseline: D's architecture with a class head, trained, early-stopped and refitted."""

from __future__ import annotations

import numpy as np
import torch

from zerosum.config import DCGANConfig
from zerosum.representation.supervised import fresh_classifier, predict, train_baseline
from zerosum.representation.svm import validation_split

MODEL = DCGANConfig(ndf=8, ngf=8, nz=4)


def _toy(n_per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Class 0: a bright left half; class 1: a bright right half; noise on top. Trivially separable."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(2 * n_per_class) % 2
    x = torch.randint(0, 60, (len(y), 1, 16, 16), generator=g)
    x[y == 0, :, :, :8] += 180
    x[y == 1, :, :, 8:] += 180
    return x.to(torch.uint8), y


def test_fresh_classifier_gives_k_logits_per_image_and_keeps_the_global_rng():
    torch.manual_seed(5)
    before = torch.random.get_rng_state()
    a = fresh_classifier(MODEL.model_copy(update={"pack": 2}), (1, 16, 16), 7, seed=1)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = fresh_classifier(MODEL, (1, 16, 16), 7, seed=1)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True))
    assert a.D.pack == 1  # a PacGAN config still gives a per-image classifier
    assert a.eval()(torch.zeros(3, 1, 16, 16)).shape == (3, 7)


def test_baseline_learns_a_separable_toy_set():
    x, y = _toy(30, seed=0)
    fit, val = validation_split(y.numpy(), seed=0)
    result = train_baseline(MODEL, x, y, fit, val, 2, (-1.0, 1.0), seed=0, epochs=6, batch_size=10, patience=3)
    assert 1 <= result.epoch <= 6 and len(result.val_accuracy) >= result.epoch
    assert max(result.val_accuracy) == 1.0 and not result.model.training
    xt, yt = _toy(50, seed=1)
    assert (predict(result.model, xt, (-1.0, 1.0)) == yt.numpy()).mean() == 1.0


def test_baseline_is_reproducible_per_seed_and_stops_early():
    x, y = _toy(10, seed=0)
    fit, val = validation_split(y.numpy(), seed=0)
    runs = [train_baseline(MODEL, x, y, fit, val, 2, (-1.0, 1.0), seed=s, epochs=30, patience=2) for s in (0, 0)]
    assert runs[0].val_accuracy == runs[1].val_accuracy and runs[0].epoch == runs[1].epoch
    assert len(runs[0].val_accuracy) < 30  # a perfect validation score cannot improve: patience ends the search
    xt, _ = _toy(5, seed=2)
    assert np.array_equal(predict(runs[0].model, xt, (-1.0, 1.0)), predict(runs[1].model, xt, (-1.0, 1.0)))
