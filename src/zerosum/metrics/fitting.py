"""How the project's own networks (the LeNets, the shapes segmenter, the few-label classifiers, CAS's ResNet) are
trained: seeded inside a forked RNG, so that training one never moves the caller's random streams, with progress
for anything slower than a few seconds."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.progress import progress

Batches = Callable[[int, torch.Generator], tuple[Tensor, Tensor]]  # (step, generator) → inputs, targets


def random_shifts(x: Tensor, shift: int, gen: torch.Generator) -> Tensor:
    """Each image of x (N×C×H×W) moved by its own integer offset in [−shift, shift]², zeros filling the border: a
    random crop of the zero-padded image, as CIFAR training pads and crops."""
    n, _, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift))
    dy, dx = (torch.randint(0, 2 * shift + 1, (n,), generator=gen) for _ in range(2))
    rows = (dy[:, None] + torch.arange(h)[None, :])[:, None, :, None].expand(n, x.shape[1], h, w + 2 * shift)
    cols = (dx[:, None] + torch.arange(w)[None, :])[:, None, None, :].expand(n, x.shape[1], h, w)
    return padded.gather(2, rows).gather(3, cols)


def descend(opt: torch.optim.Optimizer, sched: torch.optim.lr_scheduler.LRScheduler, loss: Tensor) -> None:
    """One update: clear the gradients, backpropagate, step the optimiser and its schedule."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()


def fit_adam(make: Callable[[], nn.Module], batches: Batches, steps: int, seed: int, desc: str) -> nn.Module:
    """`make()` trained by cross-entropy on `batches` (drawn with a generator seeded by `seed`), Adam 2e-3
    decaying linearly to 0 over `steps`; bit-identical for equal batches, seed and thread count; in eval mode."""
    with torch.random.fork_rng(devices=[]), progress(steps, desc, unit="step") as bar:
        torch.manual_seed(seed)
        model = make()
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 - s / steps)
        gen = torch.Generator().manual_seed(seed)
        model.train()
        for step in range(steps):
            x, y = batches(step, gen)
            descend(opt, sched, F.cross_entropy(model(x), y))
            bar.update()
    return model.eval()
