"""Stacked MNIST: every channel is a real MNIST digit of the split asked for, and the label names those digits."""

import pytest
import torch

from zerosum.cli import main
from zerosum.config import DataConfig
from zerosum.data import ImageSet, dataset_names, describe_sources, load_dataset
from zerosum.data.stacked import CLASSES
from zerosum.errors import DataError


def _stacked(**kw) -> ImageSet:
    params = kw.pop("params", {})
    return load_dataset(DataConfig(name="stacked-mnist", params=params, **kw))


@pytest.fixture(scope="module")
def digit_labels() -> dict[str, dict[bytes, set[int]]]:
    """Per MNIST split: image bytes → the labels MNIST gives that image (a set: a few images occur twice)."""
    out = {}
    for split in ("train", "test"):
        mnist = load_dataset(DataConfig(name="mnist", split=split))
        table: dict[bytes, set[int]] = {}
        for image, label in zip(mnist.images.numpy(), mnist.labels.tolist(), strict=True):
            table.setdefault(image.tobytes(), set()).add(label)
        out[split] = table
    return out


def _assert_labels_name_the_digits(s: ImageSet, table: dict[bytes, set[int]]) -> None:
    for image, label in zip(s.images.numpy(), s.labels.tolist(), strict=True):
        digits = (label // 100, label // 10 % 10, label % 10)
        for channel, digit in zip(image, digits, strict=True):
            assert digit in table[channel.tobytes()]  # KeyError: the channel is not a digit of that split


def test_images_are_three_digits_and_labels_name_them(digit_labels):
    s = _stacked(limit=300)
    assert len(s) == 300 and s.shape == (3, 28, 28) and s.images.dtype == torch.uint8
    assert s.classes == CLASSES and len(CLASSES) == 1000 and CLASSES[7] == "007" and CLASSES[-1] == "999"
    assert s.labels.min() >= 0 and s.labels.max() <= 999
    _assert_labels_name_the_digits(s, digit_labels["train"])
    assert not torch.equal(s.images[:, 0], s.images[:, 1])  # channels drawn independently


def test_test_split_uses_test_digits_and_all_is_train_then_test(digit_labels):
    test = _stacked(split="test", params={"n": 200})
    assert len(test) == 200
    _assert_labels_name_the_digits(test, digit_labels["test"])
    both = _stacked(split="all", params={"n": 200})
    train = _stacked(params={"n": 200})
    assert len(both) == 400 and torch.equal(both.images[:200], train.images)
    assert torch.equal(both.images[200:], test.images) and torch.equal(both.labels[200:], test.labels)


def test_full_default_set_covers_all_modes():
    s = _stacked()
    assert len(s) == 60_000 and s.labels.unique().numel() == 1000
    counts = s.labels.bincount(minlength=1000)
    assert counts.min() > 20 and counts.max() < 110  # uniform over 1,000 modes: 60 ± ~8 each
    assert len(_stacked(split="test")) == 10_000  # default n is the MNIST split's size


def test_deterministic_by_seed_and_limit_keeps_a_prefix():
    a = _stacked(params={"n": 500})
    b = _stacked(params={"n": 500, "seed": 0})
    c = _stacked(params={"n": 500, "seed": 1})
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.labels, c.labels)
    cut = _stacked(params={"n": 500}, limit=100)
    assert len(cut) == 100 and torch.equal(cut.images, a.images[:100])
    assert len(_stacked(params={"n": 1234})) == 1234


def test_shaping_follows_the_config():
    big = _stacked(limit=8, size=32)
    assert big.shape == (3, 32, 32) and big.images.dtype == torch.uint8
    gray = _stacked(limit=8, channels=1)
    assert gray.shape == (1, 28, 28)
    assert torch.equal(_stacked(limit=8, size=28, channels=3).images, _stacked(limit=8).images)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"digits": 4}, "unknown data.params ['digits'] for stacked-mnist; allowed: n, seed"),
        ({"n": 0}, "data.params.n for stacked-mnist must be an integer >= 1"),
        ({"n": "many"}, "data.params.n"),
        ({"seed": 1.5}, "data.params.seed"),
    ],
)
def test_bad_params_are_one_line_errors(params, fragment):
    with pytest.raises(DataError) as err:
        _stacked(params=params, limit=4)
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_listed_where_mnist_is_found(capsys):
    assert "stacked-mnist" in dataset_names()
    rows = {r["name"]: r for r in describe_sources()}
    assert rows["stacked-mnist"]["path"] == rows["mnist"]["path"] is not None
    assert rows["stacked-mnist"]["source"].startswith("stacked from mnist")
    assert main(["data"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("stacked-mnist"))
    assert rows["mnist"]["path"] in line
