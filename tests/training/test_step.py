"""One iteration of Algorithm 1: what `reuse_fake` shares, when the lazy R1 penalty applies, instance noise."""

import torch

from tests.conftest import TINY_DCGAN
from zerosum import make_config
from zerosum.data import load_dataset
from zerosum.losses import get_loss
from zerosum.training.state import build_state
from zerosum.training.step import train_step
from zerosum.training.step_parts import instance_noise, noise_sigma


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


def test_instance_noise_falls_linearly_to_zero_and_then_stays_off():
    cfg, _, _ = _state("train.instance_noise=0.4", "train.steps=10")
    assert [round(noise_sigma(cfg.train, s), 6) for s in (0, 5, 10, 12)] == [0.4, 0.2, 0.0, 0.0]
    cfg, _, _ = _state("train.instance_noise=0.4", "train.steps=10", "train.instance_noise_steps=4")
    assert [round(noise_sigma(cfg.train, s), 6) for s in (0, 2, 4)] == [0.4, 0.2, 0.0]


def test_instance_noise_has_its_sigma_and_draws_nothing_when_off():
    x = torch.zeros(64, 1, 16, 16)
    cfg, _, state = _state("train.instance_noise=0.5", "train.steps=10")
    state.step = 5
    noisy = instance_noise(state, cfg.train, x)
    assert abs(float(noisy.std()) - 0.25) < 0.01
    cfg, _, state = _state()
    before = state.noise.get_state()
    assert instance_noise(state, cfg.train, x) is x
    assert torch.equal(state.noise.get_state(), before)


def test_instance_noise_changes_what_d_learns():
    cfg, data, state = _state()
    cfg2, data2, state2 = _state("train.instance_noise=1.0")
    _run(cfg, data, state)
    _run(cfg2, data2, state2)
    assert not _same([p.detach() for p in state.D.parameters()], [p.detach() for p in state2.D.parameters()])
