import gzip
import hashlib
import struct

import numpy as np
import pytest

from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.idx import find_idx, load_idx_split, parse_idx, read_idx
from zerosum.errors import DataError

MNIST_TRAIN_PER_CLASS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def idx_bytes(arr: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.astype(np.uint8).tobytes()


def write_pair(folder, images, labels, split="train", gz=True):
    names = {
        "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    }[split]
    for stem, arr in zip(names, (images, labels), strict=True):
        data = idx_bytes(arr)
        (folder / (stem + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)


def test_parse_roundtrip_and_dtypes():
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = parse_idx(idx_bytes(arr), "x", ndim=3)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, arr)
    # big-endian int32 payloads are understood too
    data = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 2) + np.array([1, -2], ">i4").tobytes()
    assert parse_idx(data, "x").tolist() == [1, -2]


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "bad magic"),
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "bad magic"),
        (b"\x00\x00\x08\x03\x00\x00", "ends inside its header"),
        (idx_bytes(np.zeros((2, 2, 2), np.uint8))[:-1], "expected 24"),
        (idx_bytes(np.zeros((2, 2, 2), np.uint8)) + b"x", "expected 24"),
        (idx_bytes(np.zeros(3, np.uint8)), "3 dimensions|1 dimensions"),
    ],
)
def test_parse_rejects_bad_bytes(data, match):
    with pytest.raises(DataError, match=match):
        parse_idx(data, "some-file", ndim=3)


def test_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((10, 28, 28), np.uint8)))[:-20])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz.*truncated or corrupt"):
        read_idx(path)


def test_truncated_raw_file_names_the_file(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8))[:-3])
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte has 15 bytes, expected 18"):
        read_idx(path, ndim=1)


def test_raw_and_dot_spelling_found(tmp_path):
    (tmp_path / "train-images.idx3-ubyte").write_bytes(b"")
    assert find_idx(tmp_path, "train-images-idx3-ubyte").name == "train-images.idx3-ubyte"
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"")
    assert find_idx(tmp_path, "train-images-idx3-ubyte").name == "train-images-idx3-ubyte.gz"


def test_pair_checks(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 4)).astype(np.uint8)
    write_pair(tmp_path, images, np.array([0, 1, 2, 3, 4], np.uint8), gz=False)
    x, y = load_idx_split(tmp_path, "train", num_classes=10, limit=3)
    np.testing.assert_array_equal(x, images[:3])
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2]
    with pytest.raises(DataError, match="label 4, expected < 3"):
        load_idx_split(tmp_path, "train", num_classes=3)
    with pytest.raises(DataError, match="no t10k-images-idx3-ubyte"):
        load_idx_split(tmp_path, "test", num_classes=10)
    write_pair(tmp_path, images, np.array([0, 1], np.uint8), gz=False)
    with pytest.raises(DataError, match="5 images but .* 2 labels"):
        load_idx_split(tmp_path, "train", num_classes=10)


def test_builtin_mnist_without_shared_data(monkeypatch):
    monkeypatch.delenv("ZEROSUM_DATA", raising=False)
    train = load_dataset(DataConfig(name="mnist"))
    assert train.source.startswith("built-in")
    assert len(train) == 60000 and train.shape == (1, 28, 28) and train.images.dtype.is_floating_point is False
    assert train.labels.bincount().tolist() == MNIST_TRAIN_PER_CLASS
    assert train.classes == tuple("0123456789")
    md5 = hashlib.md5(idx_bytes(train.images[:, 0].numpy())).hexdigest()
    assert md5 == "6bbc9ace898e44ae57da46a324031adb"  # the canonical decompressed train-images file
    test = load_dataset(DataConfig(name="mnist", split="test"))
    assert len(test) == 10000 and test.labels.min() == 0 and test.labels.max() == 9


def test_real_mnist_and_fashion(real_data):
    mnist = load_dataset(DataConfig(name="mnist", split="all"))
    assert mnist.source.startswith("$ZEROSUM_DATA") and len(mnist) == 70000
    assert mnist.labels[:60000].bincount().tolist() == MNIST_TRAIN_PER_CLASS
    for split, n in (("train", 60000), ("test", 10000)):
        fashion = load_dataset(DataConfig(name="fashion-mnist", split=split))
        assert len(fashion) == n and fashion.shape == (1, 28, 28) and fashion.images.dtype.itemsize == 1
        assert fashion.labels.bincount().tolist() == [n // 10] * 10
        assert fashion.classes[0] == "T-shirt/top" and fashion.num_classes == 10


def test_corrupt_file_in_data_root_is_reported_not_skipped(tmp_path):
    root = tmp_path / "mnist"
    root.mkdir()
    write_pair(root, np.zeros((4, 28, 28), np.uint8), np.zeros(4, np.uint8))
    bad = root / "train-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:30])
    with pytest.raises(DataError, match=str(bad)):
        load_dataset(DataConfig(name="mnist", root=str(tmp_path)))
