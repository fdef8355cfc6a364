"""The independent classifier that grades generated digits: deterministic, cached, and its summary numbers."""

from __future__ import annotations

import math

import pytest
import torch

from zerosum.metrics import classifier as clf


@pytest.fixture(scope="module")
def mnist_train() -> tuple[torch.Tensor, torch.Tensor]:
    return clf.load_split("mnist", "train")


def test_training_is_deterministic_and_leaves_global_rng_alone(mnist_train):
    images, labels = mnist_train[0][:2048], mnist_train[1][:2048]
    torch.manual_seed(0)
    expected_next = torch.rand(3)
    torch.manual_seed(0)
    a = clf.train_classifier(images, labels, steps=40, batch_size=64)
    assert torch.equal(torch.rand(3), expected_next)
    b = clf.train_classifier(images, labels, steps=40, batch_size=64)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(pa, pb), name
    c = clf.train_classifier(images, labels, steps=1, batch_size=64, seed=7)
    assert not torch.equal(a.conv1.weight, c.conv1.weight)


def test_short_training_learns_digits(mnist_train):
    images, labels = mnist_train
    model = clf.train_classifier(images[:4096], labels[:4096], steps=120, batch_size=64)
    assert clf.accuracy(model, images[-2000:], labels[-2000:]) > 0.85


def test_classify_and_features_shapes_and_uint8_equals_float():
    model = clf.LeNet().eval()
    u8 = torch.randint(0, 256, (37, 1, 28, 28), dtype=torch.uint8)
    probs = clf.classify(model, u8, batch_size=10)
    assert probs.shape == (37, 10)
    assert torch.allclose(probs.sum(1), torch.ones(37), atol=1e-5)
    assert torch.allclose(probs, clf.classify(model, u8.float() / 255), atol=1e-6)
    assert clf.penultimate_features(model, u8, batch_size=16).shape == (37, clf.LeNet.feature_dim)


def test_confident_share_counts_rows_above_threshold():
    probs = torch.tensor([[0.95, 0.05] + [0.0] * 8, [0.5, 0.5] + [0.0] * 8, [0.0] * 9 + [1.0], [0.1] * 10])
    assert clf.confident_share(probs) == pytest.approx(0.5)
    assert clf.confident_share(probs, threshold=0.99) == pytest.approx(0.25)
    assert clf.confident_share(probs, threshold=0.05) == pytest.approx(1.0)


def test_class_histogram_entropy_known_values():
    eye = torch.eye(10)
    assert clf.class_histogram_entropy(eye.repeat(7, 1)) == pytest.approx(math.log(10))
    assert clf.class_histogram_entropy(eye[[3] * 50]) == pytest.approx(0.0)
    assert clf.class_histogram_entropy(eye[[1, 2] * 20]) == pytest.approx(math.log(2))
    quarter = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert clf.class_histogram_entropy(eye[[0, 0, 0, 1]]) == pytest.approx(quarter)


def test_get_classifier_caches_atomically_and_retrains_a_corrupt_entry(monkeypatch, mnist_train):
    small = (mnist_train[0][:1024], mnist_train[1][:1024])
    monkeypatch.setattr(clf, "load_split", lambda dataset, split: small)
    first = clf.get_classifier("mnist")
    path = clf.classifier_path("mnist")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == [path.name]
    assert 0.0 <= first.test_accuracy <= 1.0
    real_train = clf.train_classifier
    monkeypatch.setattr(clf, "train_classifier", lambda *a, **k: pytest.fail("retrained despite a valid cache"))
    again = clf.get_classifier("mnist")
    assert again.test_accuracy == first.test_accuracy
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), again.state_dict().values(), strict=True))
    monkeypatch.setattr(clf, "train_classifier", real_train)
    path.write_bytes(b"not a checkpoint")
    assert torch.equal(clf.get_classifier("mnist").conv1.weight, first.conv1.weight)


def test_first_use_training_shows_progress_with_an_eta(monkeypatch, mnist_train, tmp_path, capsys, show_progress):
    """The real get_classifier path (minutes at full size) on 1,280 digits for one epoch: 10 steps, each shown."""
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path))  # never cache this weak model where other tests look
    monkeypatch.setattr(clf, "EPOCHS", 1)
    monkeypatch.setattr(clf, "load_split", lambda dataset, split: (mnist_train[0][:1280], mnist_train[1][:1280]))
    clf.get_classifier("mnist")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("training the mnist LeNet:")]
    assert lines[0].startswith("training the mnist LeNet: 1/10 step, eta ")
    assert lines[-1].startswith("training the mnist LeNet: 10/10 step, done in ")
    assert len(lines) == 10


def test_unknown_dataset_is_a_data_error():
    with pytest.raises(clf.DataError, match="no classifier"):
        clf.load_split("cifar10", "train")


@pytest.mark.parametrize(("dataset", "target"), [("mnist", 0.99), ("fashion-mnist", 0.90)])
def test_the_full_recipe_reaches_its_test_accuracy(dataset, target, request, tmp_path, monkeypatch):
    """The real thing: 3 epochs on the whole training split (~90 s each on one thread), graded on the test split."""
    if dataset != "mnist":
        request.getfixturevalue("data_root")  # only MNIST ships with the package
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path))  # no classifier cached by another test: train it here
    model = clf.get_classifier(dataset)
    images, labels = clf.load_split(dataset, "test")
    probs = clf.classify(model, images)
    acc = (probs.argmax(1) == labels).float().mean().item()
    assert acc >= target
    assert acc == pytest.approx(model.test_accuracy, abs=1e-4)
    assert clf.confident_share(probs) > (0.95 if dataset == "mnist" else 0.6)
