import pytest

from zerosum.config import TrainConfig
from zerosum.training.schedules import learning_rate, momentum


def test_paper_lr_decay_with_floor():
    cfg = TrainConfig(optimizer="sgd", lr_decay=1.000004, lr_min=1e-6)
    assert learning_rate(0.1, 0, cfg) == pytest.approx(0.1)
    assert learning_rate(0.1, 100_000, cfg) == pytest.approx(0.1 / 1.000004**100_000)
    assert learning_rate(0.1, 10**8, cfg) == 1e-6


def test_momentum_rises_linearly_then_saturates():
    cfg = TrainConfig(optimizer="sgd", momentum=0.5, momentum_final=0.7, momentum_steps=100)
    assert momentum(0, cfg) == pytest.approx(0.5)
    assert momentum(50, cfg) == pytest.approx(0.6)
    assert momentum(100, cfg) == pytest.approx(0.7)
    assert momentum(10_000, cfg) == pytest.approx(0.7)


def test_constant_by_default():
    cfg = TrainConfig()
    assert learning_rate(2e-4, 12345, cfg) == 2e-4
    assert momentum(12345, cfg) == cfg.momentum
