"""The registry: names are protocols, unknown names and wrong datasets fail with one line, samples are shared."""

import pytest
import torch

import zerosum.metrics  # noqa: F401  (registers every protocol)
from zerosum.config import DataConfig
from zerosum.errors import ConfigError
from zerosum.metrics.registry import REGISTRY, EvalContext, get_metric, parse_metric_list, register


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown metric 'fid_typo'") as err:
        get_metric("fid_typo")
    assert "fd_lenet" in str(err.value) and "\n" not in str(err.value)


def test_metric_bound_to_its_datasets():
    assert get_metric("fd_lenet", "fashion-mnist").name == "fd_lenet"
    with pytest.raises(ConfigError, match="not for 'cifar10'"):
        get_metric("fd_lenet", "cifar10")


def test_parse_metric_list():
    assert parse_metric_list("fd_lenet, confident_lenet,fd_lenet") == ["fd_lenet", "confident_lenet"]
    assert parse_metric_list(["classes_lenet"]) == ["classes_lenet"]
    with pytest.raises(ConfigError, match="no metric named"):
        parse_metric_list(" , ")
    with pytest.raises(ConfigError, match="unknown metric"):
        parse_metric_list("fd_lenet,nope")


def test_names_are_unique():
    with pytest.raises(ValueError, match="registered twice"):
        register("fd_lenet", "again", higher_is_better=False, comparable="")(lambda ctx: {})
    assert all(m.name == name for name, m in REGISTRY.items())


def test_context_draws_each_count_once():
    calls = []

    def draw(n, seed):
        calls.append((n, seed))
        return torch.zeros(n, 2)

    ctx = EvalContext(draw=draw, data=DataConfig(name="ring-8"), seed=3)
    assert ctx.samples(5) is ctx.samples(5)
    ctx.samples(7)
    assert calls == [(5, 3), (7, 3)]
    assert ctx.memo("k", lambda: [1]) is ctx.memo("k", lambda: pytest.fail("computed twice"))


def test_sample_shape_is_checked_when_known():
    assert get_metric("fd_lenet", "mnist", [1, 28, 28]).name == "fd_lenet"
    assert get_metric("fid2k_test", "mnist", [3, 64, 64]).name == "fid2k_test"  # any shape
    with pytest.raises(ConfigError, match=r"needs 28×28 gray samples but this run makes 16×16 gray"):
        get_metric("fd_lenet", "mnist", [1, 16, 16])
    with pytest.raises(ConfigError, match=r"measures images but this run makes 2-d points"):
        get_metric("fid2k_test", "ring-8", [2])
