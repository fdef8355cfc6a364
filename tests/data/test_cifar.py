import io
import os
import pickle
import time

import numpy as np
import pytest
import torch

from tests.data.helpers import png_bytes, solid, write_tar
from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.cifar import CLASSES, SafeUnpickler, load_batch
from zerosum.errors import DataError


def batch(n: int, seed: int, py2_keys: bool = False) -> dict:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 3072)).astype(np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, n)]
    out = {"batch_label": "batch", "labels": labels, "data": data, "filenames": [f"{i}.png" for i in range(n)]}
    return {k.encode(): v for k, v in out.items()} if py2_keys else out


def write_batches(folder, protocol=2):
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        made[name] = batch(4, i, py2_keys=i % 2 == 1)
        (folder / name).write_bytes(pickle.dumps(made[name], protocol=protocol))
    return made


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_pickle_folder_layout(tmp_path, protocol):
    made = write_batches(tmp_path / "cifar10" / "cifar-10-batches-py", protocol)
    train = load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    assert len(train) == 20 and train.shape == (3, 32, 32) and train.classes == CLASSES
    first = made["data_batch_1"]
    assert torch.equal(train.images[0], torch.from_numpy(first["data"][0].reshape(3, 32, 32)))
    assert train.labels[:4].tolist() == first["labels"]
    second = made["data_batch_2"]  # bytes keys, as in the Python 2 originals
    assert train.labels[4:8].tolist() == second[b"labels"]
    test = load_dataset(DataConfig(name="cifar10", root=str(tmp_path), split="test", limit=3))
    assert len(test) == 3 and test.labels.tolist() == made["test_batch"][b"labels"][:3]


def test_python_tarball(tmp_path):
    made = write_batches(tmp_path / "src" / "cifar-10-batches-py")
    files = {f"cifar-10-batches-py/{n}": (tmp_path / "src/cifar-10-batches-py" / n).read_bytes() for n in made}
    (tmp_path / "data" / "cifar10").mkdir(parents=True)
    write_tar(tmp_path / "data" / "cifar10" / "cifar-10-python.tar.gz", files, "w:gz")
    s = load_dataset(DataConfig(name="cifar10", root=str(tmp_path / "data"), split="all"))
    assert len(s) == 24 and s.source.endswith("cifar-10-python.tar.gz")


def test_python_tarball_shows_the_bytes_read(tmp_path, capsys, show_progress):
    made = write_batches(tmp_path / "src" / "cifar-10-batches-py")
    files = {f"cifar-10-batches-py/{n}": (tmp_path / "src/cifar-10-batches-py" / n).read_bytes() for n in made}
    (tmp_path / "data" / "cifar10").mkdir(parents=True)
    tar = write_tar(tmp_path / "data" / "cifar10" / "cifar-10-python.tar.gz", files, "w:gz")
    load_dataset(DataConfig(name="cifar10", root=str(tmp_path / "data")))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("reading cifar-10-python")]
    size = f"{tar.stat().st_size / 1e3:.1f}"
    assert lines and lines[-1].startswith(f"reading cifar-10-python.tar.gz: {size}/{size} kB, done in ")
    assert len(lines) > 2 and all(", eta " in line for line in lines[:-1])  # it moved while reading


def test_corrupt_pickle_names_the_file(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    write_batches(folder)
    bad = folder / "data_batch_3"
    bad.write_bytes(bad.read_bytes()[:500])
    with pytest.raises(DataError, match=r"data_batch_3.*corrupt"):
        load_dataset(DataConfig(name="cifar10", root=str(folder)))


def test_wrong_content_is_rejected():
    with pytest.raises(DataError, match="'data' array"):
        load_batch(pickle.dumps({"data": np.zeros((2, 10), np.uint8), "labels": [0, 1]}), "f")
    with pytest.raises(DataError, match="labels of length"):
        load_batch(pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 11]}), "f")
    with pytest.raises(DataError, match="holds a list"):
        load_batch(pickle.dumps([1, 2]), "f")


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_pickle_cannot_run_code():
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        SafeUnpickler(io.BytesIO(pickle.dumps({"data": Evil()}))).load()
    with pytest.raises(DataError, match=r"evil_batch.*refusing"):
        load_batch(pickle.dumps({"data": Evil()}), "evil_batch")


def test_jpg_tar_layout_uses_canonical_class_order(tmp_path):
    files = {
        f"{split}/{c}/{i:04d}.jpg": png_bytes(solid(20 * k, channels=3), fmt="JPEG")
        for split, n in (("train", 2), ("test", 1))
        for k, c in enumerate(reversed(CLASSES))
        for i in range(n)
    }
    (tmp_path / "cifar10").mkdir()
    write_tar(tmp_path / "cifar10" / "cifar10-jpg.tar", files)
    s = load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    assert s.classes == CLASSES and len(s) == 20 and s.labels.tolist()[:10] == list(range(10))
    truck = s.images[s.labels == 9]
    assert (truck.float() - 0).abs().max() <= 3  # truck was written first, with level 0


def test_real_jpg_tar_fast(real_data):
    train = load_dataset(DataConfig(name="cifar10", limit=200))
    assert train.source.endswith("cifar10-jpg.tar") and len(train) == 200
    assert train.shape == (3, 32, 32) and train.images.dtype == torch.uint8
    assert train.labels.bincount().tolist() == [20] * 10 and train.classes == CLASSES
    test = load_dataset(DataConfig(name="cifar10", split="test", limit=20, size=16, channels=1))
    assert test.shape == (1, 16, 16) and len(test) == 20


@pytest.mark.slow
def test_real_jpg_tar_full(real_data):
    start = time.perf_counter()
    both = load_dataset(DataConfig(name="cifar10", split="all"))
    first = time.perf_counter() - start
    assert len(both) == 60000 and both.shape == (3, 32, 32)
    assert both.labels[:50000].bincount().tolist() == [5000] * 10
    assert both.labels[50000:].bincount().tolist() == [1000] * 10
    assert first < 60, f"decoding 60k JPEGs took {first:.0f} s"
    start = time.perf_counter()
    test = load_dataset(DataConfig(name="cifar10", split="test"))  # from the decoded cache
    assert time.perf_counter() - start < first and torch.equal(test.images, both.images[50000:])
