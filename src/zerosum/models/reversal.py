"""The gradient reversal layer: identity on the way forward, gradient × −λ on the way back.

It is how one backward pass can train both players of the minimax game at once. Put between G's output and D, it
lets the gradient of D's loss −V reach D unchanged (D descends −V, i.e. ascends V) and reach G multiplied by −λ
(with λ = 1, G descends V). This is the simultaneous update of the GAN paper's released code, written as one graph.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class _ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, lam: float) -> Tensor:
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None]:
        return grad * -ctx.lam, None


def reverse_gradient(x: Tensor, lam: float = 1.0) -> Tensor:
    """x itself, whose gradient is multiplied by −lam in the backward pass."""
    return _ReverseGradient.apply(x, lam)


class GradientReversal(nn.Module):
    """`reverse_gradient` as a layer, for models written as `nn.Sequential`."""

    def __init__(self, lam: float = 1.0) -> None:
        super().__init__()
        self.lam = lam

    def forward(self, x: Tensor) -> Tensor:
        return reverse_gradient(x, self.lam)

    def extra_repr(self) -> str:
        return f"lam={self.lam}"
