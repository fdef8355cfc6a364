"""Learning from few labels with a GAN (docs/few-labels.md): the semi-supervised GAN's training step, D as a
classifier, and `zerosum augment` — a classifier trained on few labels with and without a conditional G's samples.

Torch-free, so the CLI can name the methods of `zerosum augment` without loading torch."""

METHODS = ("labelled", "shifts", "cgan_subset", "cgan_all")  # what the minibatches of `zerosum augment` hold
