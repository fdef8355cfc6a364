"""One iteration of Algorithm 1: what `reuse_fake` shares and when the lazy R1 penalty applies."""

import torch

from tests.conftest import TINY_DCGAN
from zerosum import make_config
from zerosum.data import load_dataset
from zerosum.losses import get_loss
from zerosum.training.state import build_state
from zerosum.training.step import train_step


def _state(*overrides: str):
    cfg = make_config("dcgan-mnist", [*TINY_DCGAN, *overrides])
    data = load_dataset(cfg.data)
    state = build_state(cfg, tuple(data.shape), 0, len(data))
    return cfg, data, state


def _run(cfg, data, state, steps: int = 1) -> None:
    for _ in range(steps):
        train_step(state, data, get_loss(cfg.train.loss), cfg.train, torch.device("cpu"), (-1.0, 1.0), 0)


def _count_g_forwards(state) -> list[int]:
    calls = [0]
    state.G.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    return calls


def test_reuse_fake_runs_g_once_per_step_and_still_trains_g():
    for reuse, expected in (("false", 2), ("true", 1)):
        cfg, data, state = _state(f"train.reuse_fake={reuse}")
        calls = _count_g_forwards(state)
        before = [p.detach().clone() for p in state.G.parameters()]
        _run(cfg, data, state)
        assert calls[0] == expected
        assert any(not torch.equal(a, b) for a, b in zip(before, state.G.parameters(), strict=True))


def _d_after_one_step(step: int, *overrides: str) -> list[torch.Tensor]:
    cfg, data, state = _state("train.r1_every=2", *overrides)
    state.step = step
    _run(cfg, data, state)
    return [p.detach().clone() for p in state.D.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_lazy_r1_applies_only_every_r1_every_steps():
    assert not _same(_d_after_one_step(2), _d_after_one_step(2, "train.r1_gamma=10"))
    assert _same(_d_after_one_step(3), _d_after_one_step(3, "train.r1_gamma=10"))
