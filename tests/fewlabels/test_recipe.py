"""The few-label classifier recipe: shifts move pixels, minibatches mix as asked, training is deterministic."""

from __future__ import annotations

import pytest
import torch

from zerosum.errors import ConfigError
from zerosum.fewlabels import recipe
from zerosum.fewlabels.recipe import Pool, train_few_label_classifier
from zerosum.metrics import fitting
from zerosum.metrics.fitting import random_shifts


def test_random_shifts_move_each_image_by_at_most_the_shift():
    x = torch.zeros(50, 1, 9, 9)
    x[:, :, 4, 4] = 1.0  # one lit pixel in the middle
    out = random_shifts(x, 2, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and torch.equal(out.sum((1, 2, 3)), torch.ones(50))  # nothing lost at ±2
    where = out[:, 0].flatten(1).argmax(1)
    rows, cols = where // 9, where % 9
    assert int((rows - 4).abs().max()) <= 2 and int((cols - 4).abs().max()) <= 2
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) > 10  # offsets vary image to image
    assert torch.equal(random_shifts(x, 0, torch.Generator()), x)


def _pool(n: int, value: int) -> Pool:
    return Pool(torch.full((n, 1, 28, 28), value, dtype=torch.uint8), torch.arange(n) % 10)


def test_minibatches_hold_mix_generated_images_per_labelled_one(monkeypatch):
    seen = []
    real_ce = torch.nn.functional.cross_entropy

    def spy(logits, y):
        seen.append(len(y))
        return real_ce(logits, y)

    monkeypatch.setattr(fitting.F, "cross_entropy", spy)  # where the recipe computes its loss
    images = []
    original = recipe.clf.LeNet.forward

    def forward(self, x):
        images.append(x.detach().clone())
        return original(self, x)

    monkeypatch.setattr(recipe.clf.LeNet, "forward", forward)
    train_few_label_classifier(_pool(20, 0), generated=_pool(30, 255), mix=3.0, steps=2, batch=16)
    assert seen == [16, 16]
    bright = [(x.flatten(1).mean(1) > 0.5).sum().item() for x in images]
    assert bright == [12, 12]  # 3 generated per labelled image: 12 of 16


def test_training_is_deterministic_per_seed_and_refuses_a_bad_mix():
    lab = Pool(torch.randint(0, 256, (40, 1, 28, 28), dtype=torch.uint8), torch.arange(40) % 10)
    a, b = (train_few_label_classifier(lab, shifts=True, steps=3, batch=8, seed=1) for _ in range(2))
    c = train_few_label_classifier(lab, shifts=True, steps=3, batch=8, seed=2)
    wa, wb, wc = (m.fc2.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)
    with pytest.raises(ConfigError, match="--mix 0"):
        train_few_label_classifier(lab, generated=lab, mix=0, steps=1)
