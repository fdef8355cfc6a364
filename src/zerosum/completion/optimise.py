"""The latent search of semantic inpainting (Yeh et al. 2017): find z whose G(z) agrees with the known pixels and
that D finds real, then use G(z)'s pixels for the hole.

    loss(z) = contextual(z) + λ · perceptual(z)
    contextual = Σ W·|G(z) − y| / Σ W      (W from `masks.contextual_weights`: high next to the hole)
    perceptual = log(1 − D(G(z))) = −softplus(logit)   (computed from D's logit, so it never takes log(0))

Minimising the perceptual term raises D's logit, pulling G(z) towards what D accepts as real; without it the fit
may use an implausible z that matches the context but draws nonsense in the hole. The contextual loss is a
weighted *mean* (not Yeh's sum), so λ means the same at every image size.

Several restarts per image run side by side in one batch (the loss is non-convex in z); each image keeps the
restart with the lowest final loss. After every Adam step z goes back to the prior's typical set (the sphere of
radius √nz for a normal prior, the cube [−1, 1]^nz for a uniform one), where G was trained and behaves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from zerosum.completion.masks import contextual_weights
from zerosum.models.common import z_bound
from zerosum.progress import Progress, progress


def search_progress(total_steps: int, images: int, restarts: int) -> Progress:
    """The bar of a completion search, counted in Adam steps: one image's search alone takes minutes on a CPU."""
    return progress(total_steps, f"completing {images} image(s) ({restarts} restarts each)", unit="step")


@dataclass
class SearchResult:
    """The best restart per image: z (N×nz), G(z) (N×C×H×W, G's output range) and its losses (N each)."""

    z: torch.Tensor
    images: torch.Tensor
    contextual: torch.Tensor
    perceptual: torch.Tensor
    total: torch.Tensor
    y: torch.Tensor | None = None
    history: list[float] = field(default_factory=list)  # mean total loss over all restarts, every 10 steps


def contextual_loss(images: torch.Tensor, target: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted mean absolute error per image; `weights` N×1×H×W is shared by the channels."""
    num = (weights * (images - target).abs()).flatten(1).sum(dim=1)
    den = weights.flatten(1).sum(dim=1) * images.shape[1]
    return num / den.clamp(min=1e-12)


def perceptual_loss(D: nn.Module, images: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
    """log(1 − D(x)) per image, from the logit: log(1 − sigmoid(l)) = −softplus(l).

    A PacGAN D (pack > 1) judges groups, so each image is shown as a group of identical copies.
    """
    pack = getattr(D, "pack", 1)
    x = images.repeat_interleave(pack, dim=0) if pack > 1 else images
    logits = D(x, y) if y is not None else D(x)
    return -F.softplus(logits.reshape(-1))


def project(z: torch.Tensor, z_dist: str) -> torch.Tensor:
    """Back into the prior's typical set: radius √nz for "normal", the prior's box for the uniform ones."""
    if (bound := z_bound(z_dist)) is not None:
        return z.clamp(-bound, bound)
    return z * (math.sqrt(z.shape[1]) / z.norm(dim=1, keepdim=True).clamp(min=1e-12))


def search_z(
    G: nn.Module,
    D: nn.Module,
    target: torch.Tensor,
    known: torch.Tensor,
    *,
    steps: int = 500,
    restarts: int = 8,
    lam: float = 0.003,
    lr: float = 0.1,
    window: int = 7,
    floor: float = 0.0,
    seed: int = 0,
    bar: Progress | None = None,
    watch: Callable[[int, torch.Tensor], None] | None = None,
) -> SearchResult:
    """Adam on z only (G and D in eval mode, their weights untouched) for `target` images (N×C×H×W in G's output
    range) with `known` pixels (bool N×1×H×W). Returns each image's best restart by the total loss.

    A conditional G gets labels cycling over the classes across restarts, so the restarts also search the class.
    Each Adam step advances `bar` by one (a caller searching several batches shares one); without it the search
    shows its own, since one image's 500 steps × 8 restarts take over a minute on a CPU. `watch(step, images)`, when
    given, sees every 10th step's G(z) of each image's currently best restart (N×C×H×W), for a live view.
    """
    n = target.shape[0]
    device = target.device
    modes = (G.training, D.training)
    G.eval()
    D.eval()
    gen = torch.Generator().manual_seed(seed)
    z = project(G.sample_z(n * restarts, generator=gen, device=device), G.z_dist).requires_grad_(True)
    y = None
    if getattr(G, "conditional", False):
        y = (torch.arange(n * restarts, device=device) % restarts) % G.num_classes
    tgt = target.repeat_interleave(restarts, dim=0)
    weights = contextual_weights(known, window, floor).to(target.dtype).repeat_interleave(restarts, dim=0)
    opt = torch.optim.Adam([z], lr=lr)
    history: list[float] = []

    def losses(zz: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = G(zz, y) if y is not None else G(zz)
        ctx = contextual_loss(x, tgt, weights)
        perc = perceptual_loss(D, x, y) if lam else torch.zeros_like(ctx)
        return x, ctx, perc

    shown = bar if bar is not None else search_progress(steps, n, restarts)
    try:
        with torch.enable_grad():
            for step in range(steps):
                x, ctx, perc = losses(z)
                total = ctx + lam * perc
                (grad,) = torch.autograd.grad(total.sum(), z)
                z.grad = grad
                opt.step()
                with torch.no_grad():
                    z.copy_(project(z, G.z_dist))
                if step % 10 == 0 or step == steps - 1:
                    history.append(float(total.detach().mean()))
                    if watch is not None:
                        now = total.detach().view(n, restarts).argmin(dim=1) + torch.arange(n, device=device) * restarts
                        watch(step, x.detach()[now])
                shown.update()
        with torch.no_grad():
            x, ctx, perc = losses(z)
    finally:
        if bar is None:
            shown.close()
        G.train(modes[0])
        D.train(modes[1])
    total = (ctx + lam * perc).view(n, restarts)
    best = total.argmin(dim=1) + torch.arange(n, device=device) * restarts
    return SearchResult(
        z=z.detach()[best],
        images=x[best],
        contextual=ctx[best],
        perceptual=perc[best],
        total=total.flatten()[best],
        y=y[best] if y is not None else None,
        history=history,
    )


__all__ = ["SearchResult", "contextual_loss", "perceptual_loss", "project", "search_z"]
