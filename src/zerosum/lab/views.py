"""What the lab's page draws, computed from a `ToyLab`'s models: plain lists of numbers, ready for JSON.

1-D (the GAN paper's Figure 1): p_data and p_g as densities over fixed bins, D(x) on the bin centres, and where
evenly spaced z land (G's mapping). 2-D: real and generated points, D's decision map on a grid, and G's gradient
field: at each generated point, the direction G's own loss moves it (−∂L_G/∂x through D), which is what pulls
the points towards the modes — or past them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor

from zerosum.lab.toys import ToyLab

BINS = 120
POINTS = 512  # generated (and real) points drawn
ARROWS = 96
MAP = 40  # decision map cells per side
DENSITY_SAMPLES = 8000


@contextmanager
def _evaluating(*models: torch.nn.Module):
    modes = [m.training for m in models]
    for m in models:
        m.eval()
    try:
        yield
    finally:
        for m, mode in zip(models, modes, strict=True):
            m.train(mode)


def d_logits(D: torch.nn.Module, x: Tensor) -> Tensor:
    """D's logit for each point alone: a packed D sees a group of identical copies."""
    pack = getattr(D, "pack", 1)
    return D(x.repeat_interleave(pack, dim=0) if pack > 1 else x).reshape(-1)


def _round(t: Tensor, digits: int = 4) -> list:
    return torch.round(t.detach().float() * 10**digits).div(10**digits).tolist()


class Views:
    """The fixed parts of a lab's pictures (noise, bins, grid, real points), drawn once per training so that the
    frames change only with the models."""

    def __init__(self, lab: ToyLab) -> None:
        with lab.lock:
            self._fix(lab)

    def _fix(self, lab: ToyLab) -> None:
        self.lab = lab
        self.version = lab.version
        gen = torch.Generator().manual_seed(lab.settings.seed + 7)
        data = lab.data.points
        self.dim = data.shape[1]
        G = lab.state.G
        pick = torch.randperm(len(data), generator=gen)
        if self.dim == 1:
            mean, std = float(data.mean()), float(data.std())
            self.lo, self.hi = mean - 5 * std, mean + 5 * std
            self.edges = torch.linspace(self.lo, self.hi, BINS + 1)
            self.centres = (self.edges[1:] + self.edges[:-1]) / 2
            self.z = G.sample_z(DENSITY_SAMPLES, generator=gen)
            self.z_map = torch.sort(G.sample_z(24, generator=gen), dim=0).values
            self.p_data = self._density(data[pick[:DENSITY_SAMPLES], 0])
        else:
            lim = float(data.abs().max()) * 1.2
            self.lo, self.hi = -lim, lim
            self.z = G.sample_z(POINTS, generator=gen)
            self.real = data[pick[:POINTS]]
            axis = torch.linspace(self.lo, self.hi, MAP)
            gy, gx = torch.meshgrid(axis.flip(0), axis, indexing="ij")  # row 0 at the top (largest y)
            self.grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)

    def _density(self, x: Tensor) -> Tensor:
        counts = torch.histc(x.float(), bins=BINS, min=self.lo, max=self.hi)
        width = (self.hi - self.lo) / BINS
        return counts / (len(x) * width)

    def static(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dim": self.dim, "lo": self.lo, "hi": self.hi, "version": self.version}
        if self.dim == 1:
            out.update(x=_round(self.centres), p_data=_round(self.p_data))
        else:
            out.update(real=_round(self.real, 3), map_size=MAP)
        return out

    def frame(self) -> dict[str, Any] | None:
        """The models' state now; None when the lab started again since these views were made (their noise, bins
        and grid belong to the old problem: the caller makes new views)."""
        lab = self.lab
        with lab.lock:
            return self._frame(lab) if lab.version == self.version else None

    def _frame(self, lab: ToyLab) -> dict[str, Any]:
        G, D = lab.state.G, lab.state.D
        out: dict[str, Any] = {"step": lab.steps, "version": self.version, "stats": lab.last}
        with _evaluating(G, D):
            if self.dim == 1:
                with torch.no_grad():
                    fake = G(self.z).reshape(-1)
                    out.update(
                        p_g=_round(self._density(fake)),
                        d=_round(torch.sigmoid(d_logits(D, self.centres[:, None]))),
                        z_map=_round(self.z_map.reshape(-1)),
                        x_map=_round(G(self.z_map).reshape(-1)),
                    )
            else:
                with torch.no_grad():
                    fake = G(self.z)
                    out["dmap"] = _round(torch.sigmoid(d_logits(D, self.grid)), 3)
                out["fake"] = _round(fake, 3)
                out["field"] = _round(self.field(fake[:ARROWS]), 4)
        return out

    def field(self, points: Tensor) -> Tensor:
        """−∂L_G/∂x at each point: where G's objective pushes it (the loss being trained: minimax, non-saturating
        or hinge), through D with its weights as they are now."""
        D = self.lab.state.D
        with torch.enable_grad():
            x = points.detach().clone().requires_grad_(True)
            loss = self.lab.loss.g(d_logits(D, x))
            (grad,) = torch.autograd.grad(loss * len(x), x)  # per point, not divided by the batch
        return -grad
