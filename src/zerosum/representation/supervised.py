"""The supervised baseline: the run's D architecture, freshly initialised, trained on the same labelled images.

Without it a "97% with 1,000 labels" says little: the question the DCGAN paper asks (its SVHN table) is whether
GAN training taught D more than the labels alone can teach the same network. The baseline is D's hidden blocks
(DCGAN init, BatchNorm in train mode while training) with D's 4×4 logit head replaced by a conv head to K class
logits, trained with cross-entropy and Adam on the labelled fit part, one pass per epoch in seeded random order.
The number of epochs is chosen like the SVM's C: the epoch with the best validation accuracy (on the same held-out
part the SVM chose C on; `patience` epochs without improvement end the search), after which the network is trained
again from the same initialisation on all labelled images for that many epochs, as the SVM is refitted on all of
them. No augmentation, so both methods see the same pixels.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.config import ModelConfig
from zerosum.models import build_models
from zerosum.representation.features import layer_shapes

EPOCHS = 30
BATCH = 50
LR = 1e-3
PATIENCE = 10


class Classifier(nn.Module):
    """D's hidden blocks, then a conv head spanning the last (4×4) map: K logits, like D's own 1-logit head."""

    def __init__(self, D: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.D = D
        c, h, w = layer_shapes(D)[-1]
        self.head = nn.Conv2d(c, num_classes, (h, w))
        nn.init.normal_(self.head.weight, 0.0, 0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.D.features(x)[-1]).flatten(1)


def fresh_classifier(model: ModelConfig, shape: tuple[int, ...], num_classes: int, seed: int) -> Classifier:
    """A newly initialised D of the run's architecture with a K-way head; the caller's global RNG is untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        _, D = build_models(model.model_copy(update={"conditional": False, "pack": 1}), shape, 0)
        return Classifier(D, num_classes)


def _floats(images: Tensor, value_range: tuple[float, float]) -> Tensor:
    lo, hi = value_range
    return images.float().mul_((hi - lo) / 255.0).add_(lo)


@torch.inference_mode()
def predict(model: nn.Module, images: Tensor, value_range: tuple[float, float], batch_size: int = 500) -> np.ndarray:
    """Class predictions for uint8 images, in eval mode (BatchNorm running statistics)."""
    model.eval()
    out = [model(_floats(images[i : i + batch_size], value_range)).argmax(1) for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.int64)


@dataclass
class BaselineFit:
    model: Classifier
    epoch: int  # the chosen epoch count (1-based)
    val_accuracy: list[float]  # per epoch of the selection run
    seconds: float


def _epoch(model: Classifier, opt: torch.optim.Optimizer, x: Tensor, y: Tensor, vr: tuple[float, float],
           batch_size: int, gen: torch.Generator) -> None:  # fmt: skip
    model.train()
    order = torch.randperm(len(x), generator=gen)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        if len(idx) < 2:  # BatchNorm cannot normalise a batch of one
            continue
        loss = F.cross_entropy(model(_floats(x[idx], vr)), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def train_baseline(
    model_cfg: ModelConfig,
    images: Tensor,
    labels: Tensor,
    fit: np.ndarray,
    val: np.ndarray,
    num_classes: int,
    value_range: tuple[float, float],
    seed: int,
    epochs: int = EPOCHS,
    batch_size: int = BATCH,
    lr: float = LR,
    patience: int = PATIENCE,
    refit: bool = True,
) -> BaselineFit:
    """Choose the epoch count on images[val] (training on images[fit]), then, like the SVM, retrain from the same
    initialisation on all labelled images for that many epochs (`refit=False` keeps the selection run's best state).
    """
    tic = time.perf_counter()
    shape = tuple(images.shape[1:])
    model = fresh_classifier(model_cfg, shape, num_classes, seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    fit_t, val_t = torch.as_tensor(fit), torch.as_tensor(val)
    x_val, y_val = images[val_t], labels[val_t].numpy()
    best_state, best_epoch, history = copy.deepcopy(model.state_dict()), 0, []
    for epoch in range(1, epochs + 1):
        _epoch(model, opt, images[fit_t], labels[fit_t], value_range, batch_size, gen)
        history.append(float((predict(model, x_val, value_range) == y_val).mean()))
        if best_epoch == 0 or history[-1] > history[best_epoch - 1]:
            best_state, best_epoch = copy.deepcopy(model.state_dict()), epoch
        elif epoch - best_epoch >= patience:
            break
    if refit:
        model = fresh_classifier(model_cfg, shape, num_classes, seed)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        gen = torch.Generator().manual_seed(seed)
        for _ in range(best_epoch):
            _epoch(model, opt, images, labels, value_range, batch_size, gen)
    else:
        model.load_state_dict(best_state)
    model.eval()
    return BaselineFit(model, best_epoch, history, time.perf_counter() - tic)
