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


def test_linear_anneal_reaches_zero_at_the_last_step():
    cfg = TrainConfig(steps=100, lr_anneal_from=0.5)
    assert learning_rate(1.0, 50, cfg) == 1.0
    assert learning_rate(1.0, 75, cfg) == pytest.approx(0.5)
    assert learning_rate(1.0, 100, cfg) == 0.0


def test_ema_decay_warms_up():
    from zerosum.training.ema import ema_decay

    assert ema_decay(0.999, 0) == pytest.approx(0.1)
    assert ema_decay(0.999, 90) == pytest.approx(0.91)
    assert ema_decay(0.999, 10**6) == 0.999
