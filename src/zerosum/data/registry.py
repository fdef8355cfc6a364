"""The named datasets: where each is looked for, what it may be downloaded from, and which reader reads it.

Every name is declared here without torch, so `zerosum data` lists them at once; the readers (`load.py` and the
modules of the generated sets) need torch and are imported when a set is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zerosum.data import cifar
from zerosum.data.archive import is_archive, is_image_name
from zerosum.data.idx import probe_idx
from zerosum.data.sources import Found, Remote
from zerosum.lazy import LazyFunction

if TYPE_CHECKING:
    from zerosum.config import DataConfig
    from zerosum.data.dataset import ImageSet

    Loader = Callable[["Spec", Found, DataConfig, bool], ImageSet]

FOLDER = "folder"  # your own images: a folder, .zip or .tar (folder.py)
STACKED = "stacked-mnist"  # three MNIST digits per image, built in memory wherever MNIST is found (stacked.py)
OBJECTS = "objects"  # generated rooms holding a red object of known box (objects.py)
SHAPES = "shapes"  # generated shapes on textured backgrounds with per-pixel class masks (shapes.py)
TOY_DEFAULTS: dict[str, dict[str, Any]] = {  # the generated point sets (toy.py) and their default data.params
    "toy-1d": {"mu": 4.0, "sigma": 0.5},
    "ring-8": {"modes": 8, "radius": 1.0, "std": 0.01},
    "grid-25": {"side": 5, "spacing": 2.0, "std": 0.05},
}

MNIST_CLASSES = tuple(str(i) for i in range(10))
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
    "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
    "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
}
_FASHION_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
_FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
_CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


@dataclass(frozen=True)
class Spec:
    """A named dataset read from files: folder names it goes by, how to recognise a copy, canonical downloads, and
    its reader (a `LazyFunction`, so declaring it imports no torch)."""

    name: str
    aliases: tuple[str, ...]
    probe: Callable[[Path], Path | None]
    load: Loader
    classes: tuple[str, ...] = ()
    remotes: tuple[Remote, ...] = field(default_factory=tuple)


_SUBJECT = re.compile(r"^s(\d+)_\d+\.\w+$", re.IGNORECASE)
_SUBJECT_DIR = re.compile(r"^s\d+$", re.IGNORECASE)


def olivetti_subject(name: str) -> str | None:
    """'s07_03.png' → 's07'; 's7/3.pgm' (the AT&T layout) → 's7'; anything else → None."""
    parts = name.split("/")
    m = _SUBJECT.match(parts[-1])
    if m:
        return f"s{int(m.group(1)):02d}"
    return parts[-2] if len(parts) >= 2 and _SUBJECT_DIR.match(parts[-2]) else None


def probe_olivetti(path: Path) -> Path | None:
    if path.is_file():
        return path if is_archive(path) else None
    for child in path.iterdir():
        if (child.is_file() and is_image_name(child.name) and _SUBJECT.match(child.name)) or (
            child.is_dir() and _SUBJECT_DIR.match(child.name)
        ):
            return path
    return None


def _probe_cifar(path: Path) -> Path | None:
    if path.is_file():
        return path if is_archive(path) else None
    return cifar.probe(path)


def _idx_remotes(mirrors: tuple[str, ...], sums: dict[str, str], algo: str) -> tuple[Remote, ...]:
    return tuple(Remote(f, tuple(m + f for m in mirrors), f"{algo}:{h}") for f, h in sums.items())


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec("mnist", ("MNIST", "MNIST/raw"), probe_idx, LazyFunction("zerosum.data.load:load_idx"), MNIST_CLASSES,
             _idx_remotes(_MNIST_MIRRORS, _MNIST_SHA256, "sha256")),
        Spec("fashion-mnist", ("fashion_mnist", "FashionMNIST", "FashionMNIST/raw"), probe_idx,
             LazyFunction("zerosum.data.load:load_idx"), FASHION_CLASSES,
             _idx_remotes(_FASHION_MIRRORS, _FASHION_MD5, "md5")),
        Spec("cifar10", ("cifar-10", "CIFAR10"), _probe_cifar, LazyFunction("zerosum.data.load:load_cifar"),
             cifar.CLASSES, (Remote(cifar.PICKLE_TAR, (_CIFAR_URL,), "md5:c58f30108f718f92721af3b95e74349a"),)),
        Spec("olivetti-faces", ("olivetti", "att_faces", "orl_faces"), probe_olivetti,
             LazyFunction("zerosum.data.load:load_olivetti")),
    )
}  # fmt: skip


def dataset_names() -> list[str]:
    """Every registered dataset name (a path to a folder or archive is accepted as well)."""
    return [*SPECS, STACKED, OBJECTS, SHAPES, FOLDER, *TOY_DEFAULTS]
