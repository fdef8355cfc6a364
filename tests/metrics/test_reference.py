"""The real-feature cache: computed once, keyed by the pixels, never trusted when damaged."""

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.metrics import reference

DATA = DataConfig(name="mnist")


@pytest.fixture(autouse=True)
def _empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path))
    monkeypatch.setattr(reference, "_loaded", {})


def _counting_extractor(calls: list[int]):
    def extract(images: torch.Tensor) -> torch.Tensor:
        calls.append(len(images))
        return images.flatten(1)[:, :8].double()

    return extract


def test_features_are_computed_once_and_read_back(monkeypatch):
    calls: list[int] = []
    first = reference.real_features(DATA, "test", "fake", _counting_extractor(calls), limit=50)
    monkeypatch.setattr(reference, "_loaded", {})  # a new process: only the file remains
    second = reference.real_features(DATA, "test", "fake", _counting_extractor(calls), limit=50)
    assert calls == [50] and first.dtype == torch.float64 and torch.equal(first, second)


def test_other_pixels_or_network_get_their_own_entry(monkeypatch):
    calls: list[int] = []
    reference.real_features(DATA, "test", "fake", _counting_extractor(calls), limit=50)
    reference.real_features(DATA, "test", "fake", _counting_extractor(calls), limit=60)
    reference.real_features(DATA, "test", "other", _counting_extractor(calls), limit=50)
    reference.real_features(DATA.model_copy(update={"size": 14}), "test", "fake", _counting_extractor(calls), limit=50)
    assert calls == [50, 60, 50, 50]


def test_damaged_entry_is_recomputed(monkeypatch):
    calls: list[int] = []
    reference.real_features(DATA, "test", "fake", _counting_extractor(calls), limit=20)
    images = reference.real_images(DATA, "test", limit=20)
    path = reference.cache_path("fake", "mnist", "test", reference.fingerprint(images))
    path.write_bytes(b"not a torch file")
    monkeypatch.setattr(reference, "_loaded", {})
    again = reference.real_features(DATA, "test", "fake", _counting_extractor(calls), limit=20)
    assert calls == [20, 20] and again.shape == (20, 8)


def test_to_uint8_rounds_like_a_png_writer():
    x = torch.tensor([-0.5, 0.0, 0.6 / 255, 0.4 / 255, 1.0, 2.0])
    assert reference.to_uint8(x).tolist() == [0, 0, 1, 0, 255, 255]
