import logging

import pytest
import torch

from tests.data.helpers import png_bytes, solid, write_files, write_zip
from zerosum.config import DataConfig
from zerosum.data import ImageSet, dataset_names, load_dataset, sources
from zerosum.data.registry import olivetti_subject
from zerosum.errors import DataError


def test_names():
    names = dataset_names()
    for n in ("mnist", "fashion-mnist", "cifar10", "olivetti-faces", "folder", "toy-1d", "ring-8", "grid-25"):
        assert n in names


def test_unknown_name_lists_the_choices():
    with pytest.raises(DataError, match="unknown dataset 'imagenet'.*mnist.*grid-25.*path"):
        load_dataset(DataConfig(name="imagenet"))


def test_mnist_shaping(monkeypatch):
    monkeypatch.delenv("ZEROSUM_DATA", raising=False)
    s = load_dataset(DataConfig(name="mnist", split="all", limit=60_005))
    assert isinstance(s, ImageSet) and len(s) == 60_005 and s.shape == (1, 28, 28)
    test = load_dataset(DataConfig(name="mnist", split="test", limit=5))
    assert torch.equal(s.images[60_000:], test.images)  # "all" is train then test
    big = load_dataset(DataConfig(name="mnist", split="test", limit=5, size=32, channels=3))
    assert big.shape == (3, 32, 32) and big.images.is_contiguous() and big.images.dtype == torch.uint8
    assert torch.equal(big.images[:, 0], big.images[:, 2])
    raw = load_dataset(DataConfig(name="mnist", limit=100, size=28))
    assert raw.shape == (1, 28, 28) and 0.05 < raw.pixel_mean().mean().item() < 0.2


def test_olivetti_subject_names():
    assert olivetti_subject("s07_03.png") == "s07"
    assert olivetti_subject("faces/S40_10.PNG") == "s40"
    assert olivetti_subject("att_faces/s7/3.pgm") == "s7"
    assert olivetti_subject("x/img.png") is None


def test_olivetti_layouts(tmp_path, monkeypatch):
    monkeypatch.delenv("ZEROSUM_DATA", raising=False)
    monkeypatch.setattr(sources, "SYSTEM_DIR", tmp_path / "system")
    flat = {f"s{s:02d}_{k:02d}.png": png_bytes(solid(s)) for s in (1, 2, 10) for k in (1, 2)}
    write_files(tmp_path / "olivetti-faces", flat)
    s = load_dataset(DataConfig(name="olivetti-faces", root=str(tmp_path)))
    assert s.classes == ("s01", "s02", "s10") and len(s) == 6
    assert s.images[:, 0, 0, 0].tolist() == [1, 2, 10, 1, 2, 10] and s.labels.tolist() == [0, 1, 2] * 2
    att = {f"att_faces/s{s}/{k}.pgm": png_bytes(solid(s), fmt="PPM") for s in (2, 10, 1) for k in (1, 2)}
    zipped = write_zip(tmp_path / "att_faces.zip", att)
    z = load_dataset(DataConfig(name="olivetti-faces", root=str(zipped)))
    assert z.classes == ("s1", "s2", "s10")
    write_files(tmp_path / "other", {"x.png": png_bytes(solid(1)), "y/z.png": png_bytes(solid(1))})
    with pytest.raises(DataError, match="not found"):
        load_dataset(DataConfig(name="olivetti-faces", root=str(tmp_path / "other")))


def test_real_olivetti(real_data):
    s = load_dataset(DataConfig(name="olivetti-faces"))
    assert len(s) == 400 and s.num_classes == 40 and s.shape == (1, 64, 64)
    assert s.labels.bincount().tolist() == [10] * 40 and s.classes[0] == "s01" and s.classes[-1] == "s40"
    small = load_dataset(DataConfig(name="olivetti-faces", size=32, channels=3, limit=40))
    assert small.shape == (3, 32, 32) and sorted(small.labels.tolist()) == list(range(40))


def test_skipped_files_are_logged(tmp_path, caplog):
    write_files(tmp_path, {"a.png": png_bytes(solid(1)), "b.png": b"junk"})
    with caplog.at_level(logging.WARNING, logger="zerosum.data"):
        s = load_dataset(DataConfig(name="folder", root=str(tmp_path), skip_bad=True))
    assert s.skipped == 1 and "skipped 1 unreadable" in caplog.text
