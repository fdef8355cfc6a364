"""Classification Accuracy Score (Ravuri & Vinyals 2019) and GAN-train / GAN-test (Shmelkov et al. 2018).

CAS asks what a conditional G is worth as a dataset: a classifier of a fixed recipe is trained on generated images
only — one per real training example, of the same class, so the class balance is the data's — and tested on the
real test split. The same recipe trained on the real training images is the baseline beside it. CAS is Shmelkov
et al.'s GAN-train; their GAN-test is the other direction, the real-trained classifier's accuracy on the samples
(`conditioning_lenet`), and each record carries both.

The recipe on MNIST and Fashion-MNIST is the project's LeNet (classifier.py: 3 epochs of Adam, seeded), so the
baseline is that classifier's cached test accuracy. Samples are quantised to 8 bits first, as a saved image is, so
that real images fed through the same path give back the baseline's own number.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from zerosum.metrics import classifier as clf
from zerosum.metrics.conditional import class_accuracies, per_class_outputs
from zerosum.metrics.registry import EvalContext


def to_uint8(images01: Tensor) -> Tensor:
    """Images in [0, 1] as the 8-bit pixels a PNG of them holds."""
    return images01.mul(255).round_().clamp_(0, 255).to(torch.uint8)


def lenet_recipe(images: Tensor, labels: Tensor, desc: str) -> clf.LeNet:
    """The project's LeNet recipe (the one its cached classifiers are trained by) on any labelled uint8 images."""
    steps = clf.EPOCHS * (len(images) // clf.BATCH_SIZE)
    return clf.train_classifier(images, labels, steps=steps, desc=desc)


def cas_lenet(ctx: EvalContext) -> dict[str, Any]:
    """CAS on a LeNet dataset: train on one sample per training label, test on the real test split."""
    train_labels = clf.load_split(ctx.dataset, "train")[1]
    fake = to_uint8(ctx.samples_of(train_labels, ("train-labels", ctx.dataset)))
    model = lenet_recipe(fake, train_labels, desc=f"training LeNet on {len(fake):,} samples (CAS)")
    test_images, test_labels = clf.load_split(ctx.dataset, "test")
    predicted = clf.classify(model, test_images, backend="torch").argmax(1)
    gan_test, labels = per_class_outputs(ctx)
    k = ctx.num_classes
    return {
        "value": (predicted == test_labels).float().mean().item(),
        "per_class": class_accuracies(predicted, test_labels, k),
        "real": clf.get_classifier(ctx.dataset).test_accuracy,
        "gan_test": (gan_test.probs.argmax(1) == labels).float().mean().item(),
        "n_train": len(fake),
        "n_test": len(test_labels),
        "classifier": f"LeNet, {clf.EPOCHS} epochs of Adam (metrics/classifier.py)",
    }


cas_mnist = cas_lenet
cas_fashion = cas_lenet


def cas_cifar10(ctx: EvalContext) -> dict[str, Any]:
    """CAS on CIFAR-10: the small ResNet recipe (cifar_classifier.py) trained on one sample per training label,
    tested on the real test split; GAN-test is the real-trained ResNet's accuracy on 10,000 samples."""
    from zerosum.metrics import cifar_classifier as rc

    train_labels = rc.load_cifar("train")[1]
    fake = to_uint8(ctx.samples_of(train_labels, ("train-labels", ctx.dataset)))
    model = rc.train_cifar_classifier(fake, train_labels, desc=f"training the ResNet on {len(fake):,} samples (CAS)")
    test_images, test_labels = rc.load_cifar("test")
    real = rc.get_cifar_classifier()
    labels = ctx.sample_labels(10_000)
    samples = to_uint8(ctx.samples(len(labels)))
    return {
        "value": rc.accuracy(model, test_images, test_labels),
        "real": real.test_accuracy,
        "gan_test": rc.accuracy(real, samples, labels),
        "n_train": len(fake),
        "n_test": len(test_labels),
        "classifier": f"ResNet {'/'.join(map(str, rc.WIDTHS))}, {rc.EPOCHS} epochs of SGD (cifar_classifier.py)",
    }
