"""Fixtures shared by the metric tests."""

import pytest

from zerosum.metrics import classifier as clf


@pytest.fixture(scope="session")
def quick_classifier():
    """A LeNet trained for 150 steps on 4,096 digits (~95% accurate): enough to tell digits from noise, in seconds."""
    images, labels = clf.load_split("mnist", "train")
    return clf.train_classifier(images[:4096], labels[:4096], steps=150, batch_size=64)
