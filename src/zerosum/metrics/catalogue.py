"""Every protocol of the project: its name, what it measures, its direction, what it is comparable to, and where
its function lives.

Declared here, without torch, so `zerosum metrics` (and `zerosum.list_metrics()`) answers at once; the functions
(`coverage.py`, `domain.py`, `fid.py`, `parzen.py`) need torch and load on a protocol's first computation. A
protocol is declared once, here: the modules computing them read the shared shapes and datasets from this file.
"""

from __future__ import annotations

from zerosum.lazy import LazyFunction
from zerosum.metrics.registry import declare

LENET_DATASETS = ("mnist", "fashion-mnist")  # what the project's LeNet classifier (classifier.py) is trained for
MNIST_SHAPE = (1, 28, 28)  # the LeNet and Parzen protocols' samples: MNIST's and Fashion-MNIST's own shape
STACKED_SHAPE = (3, 28, 28)

# Mode coverage on data whose modes are known (coverage.py)
_TOY_COMPARABLE = (
    "the 2-D mixture tables of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018): modes captured "
    "(value), share of high-quality samples (within 3σ of a mode) and, in PacGAN, the reverse KL; both count "
    "2,500 samples. Comparable when data.params match the paper's mixture ({layout})"
)
declare(
    "modes_ring8",
    LazyFunction("zerosum.metrics.coverage:modes_ring8"),
    "modes of the ring captured by 2,500 samples (a mode counts when a sample lies within 3σ of it)",
    higher_is_better=True,
    comparable=_TOY_COMPARABLE.format(layout="PacGAN's 2D-ring is 8 modes, radius 1, std 0.01: the defaults"),
    datasets=("ring-8",),
    shape=(2,),
)
declare(
    "modes_grid25",
    LazyFunction("zerosum.metrics.coverage:modes_grid25"),
    "modes of the grid captured by 2,500 samples (a mode counts when a sample lies within 3σ of it)",
    higher_is_better=True,
    comparable=_TOY_COMPARABLE.format(layout="PacGAN's 2D-grid is 25 modes at {-4,-2,0,2,4}², std 0.05: the defaults"),
    datasets=("grid-25",),
    shape=(2,),
)
declare(
    "modes_stacked_mnist",
    LazyFunction("zerosum.metrics.coverage:modes_stacked_mnist"),
    "modes of Stacked MNIST (of 1,000) hit by 26,000 samples, each channel's digit read by the MNIST LeNet",
    higher_is_better=True,
    comparable=(
        "the Stacked MNIST tables of the unrolled GAN (Metz et al. 2017), VEEGAN and PacGAN (modes of 1,000 and "
        "KL to uniform, 26,000 samples in VEEGAN/PacGAN): comparable in kind, not digit for digit, since each paper "
        "reads the digits with its own pretrained MNIST classifier and this uses the project's LeNet"
    ),
    datasets=("stacked-mnist",),
    shape=STACKED_SHAPE,
)

# The project's LeNet classifiers (domain.py): 10k samples against the 10k test images
_INTERNAL = "zerosum runs only (the classifier is the project's own; no paper uses it)"
_KYNKAANNIEMI = _INTERNAL + "; the method is Kynkäänniemi et al. 2019, who use VGG-16 features"


def _lenet(name: str, description: str, *, higher_is_better: bool, comparable: str = _INTERNAL) -> None:
    declare(
        name,
        LazyFunction(f"zerosum.metrics.domain:{name}"),
        description,
        higher_is_better=higher_is_better,
        comparable=comparable,
        datasets=LENET_DATASETS,
        shape=MNIST_SHAPE,
    )


_lenet(
    "fd_lenet",
    "Fréchet distance between LeNet penultimate features of 10k samples and the 10k test images",
    higher_is_better=False,
)
_lenet(
    "confident_lenet",
    "share of 10k samples the LeNet classifier puts above p = 0.9 (real test images: ~0.98)",
    higher_is_better=True,
)
_lenet(
    "classes_lenet",
    "entropy of the predicted-class histogram of 10k samples (log 10 = 2.303 when all classes are equally common)",
    higher_is_better=True,
)
_lenet(
    "precision_lenet",
    "share of 10k samples inside the k=3 nearest-neighbour manifold of the test images (LeNet features)",
    higher_is_better=True,
    comparable=_KYNKAANNIEMI,
)
_lenet(
    "recall_lenet",
    "share of the test images inside the k=3 nearest-neighbour manifold of 10k samples (LeNet features)",
    higher_is_better=True,
    comparable=_KYNKAANNIEMI,
)

# Conditional runs (conditional.py, cas.py): samples of chosen classes, read or learnt from by a classifier
_SHMELKOV = (
    "GAN-test of Shmelkov et al. 2018 in kind (a classifier trained on real data reading the samples); the "
    "classifier is the project's LeNet, so the number compares between zerosum runs only"
)
for _name, _description, _higher, _comparable in (
    ("conditioning_lenet",
     "share of 10k samples (1,000 per class) that the LeNet reads as the class they were drawn for (GAN-test)",
     True, _SHMELKOV),
    ("class_fd_lenet",
     "mean over classes of the Fréchet distance (LeNet features) between 1,000 samples of a class and its test "
     "images: within-class diversity and fidelity", False, _INTERNAL),
):  # fmt: skip
    declare(
        _name,
        LazyFunction(f"zerosum.metrics.conditional:{_name}"),
        _description,
        higher_is_better=_higher,
        comparable=_comparable,
        datasets=LENET_DATASETS,
        shape=MNIST_SHAPE,
        conditional=True,
    )
_CAS = (
    "Classification Accuracy Score (Ravuri & Vinyals 2019) = GAN-train (Shmelkov et al. 2018) in method; their "
    "tables use ResNets on CIFAR-10/ImageNet, this the project's LeNet recipe, so compare with the record's `real` "
    "(the same recipe on real images), not with their numbers"
)
for _name, _dataset, _recipe, _shape in (
    ("cas_mnist", "mnist", "the LeNet recipe", MNIST_SHAPE),
    ("cas_fashion", "fashion-mnist", "the LeNet recipe", MNIST_SHAPE),
    ("cas_cifar10", "cifar10", "a small ResNet recipe (16/32/64, 15 epochs)", (3, 32, 32)),
):
    declare(
        _name,
        LazyFunction(f"zerosum.metrics.cas:{_name}"),
        f"test accuracy of {_recipe} trained on samples only, one per training image with its label "
        "(CAS; the record holds the real-data baseline and GAN-test)",
        higher_is_better=True,
        comparable=_CAS.replace("the project's LeNet recipe", _recipe.removeprefix("the ")),
        datasets=(_dataset,),
        shape=_shape,
        conditional=True,
    )

# FID and KID on Inception pool-3 features (fid.py): the sample count and reference split are in the name
_FID = (
    ("fid10k_test", "FID, Inception pool-3 features: 10k samples vs every test-split image",
     "FIDs of 10k samples against the test split (e.g. CIFAR-10 FID tables that state '10k, test')"),
    ("fid50k_train", "FID, Inception pool-3 features: 50k samples vs every training image (hours on a CPU)",
     "StyleGAN2-ADA's fid50k_full and most CIFAR-10 FID tables (50k samples vs the training set)"),
    ("fid2k_test",
     "FID, Inception pool-3 features: 2k samples vs every test-split image (cheap; NOT comparable to papers)",
     "zerosum runs only: FID from 2,000 samples reads higher than any published 10k/50k FID"),
    ("kid10k_test", "KID (×1, not ×1000), Inception features: 10k samples vs the test split, 100 subsets of 1,000",
     "KID tables using 100 subsets of 1,000 (Bińkowski et al. 2018); papers often print KID×10³"),
    ("kid2k_test",
     "KID, Inception features: 2k samples vs the test split, 100 subsets of 1,000 (cheap; unbiased but noisier)",
     "KID is unbiased, so its mean matches kid10k_test's in expectation; its std is larger"),
)  # fmt: skip
for _name, _description, _comparable in _FID:
    declare(
        _name,
        LazyFunction(f"zerosum.metrics.fid:{_name}"),
        _description,
        higher_is_better=False,
        comparable=_comparable,
        images_only=True,
    )

# The GAN paper's Parzen-window log-likelihood (parzen.py)
declare(
    "parzen_mnist",
    LazyFunction("zerosum.metrics.parzen:parzen_mnist"),
    "Parzen-window log-likelihood of the MNIST test set under 10k samples; σ picked on train[50000:51000]",
    higher_is_better=True,
    comparable="the GAN paper's Table 1 (MNIST 225 ± 2) and the DBN/CAE/GSN rows beside it",
    datasets=("mnist",),
    shape=MNIST_SHAPE,
)
declare(
    "parzen_fashion",
    LazyFunction("zerosum.metrics.parzen:parzen_fashion"),
    "Parzen-window log-likelihood of the Fashion-MNIST test set under 10k samples; σ picked on train[50000:51000]",
    higher_is_better=True,
    comparable="papers applying the GAN paper's Parzen protocol to Fashion-MNIST (no figure in the GAN paper)",
    datasets=("fashion-mnist",),
    shape=MNIST_SHAPE,
)

# Image-to-image runs on their held-out pairs (translation.py): data.pairs.test_classes, or the test split
_SR_PROTOCOL = (
    "on the held-out pairs: outputs and targets rounded to 8 bits, Y of BT.601 for RGB (the grey level for grey "
    "images), a border of `factor` pixels cropped, averaged over images; bicubic's value in the details"
)
_SR_COMPARABLE = (
    "SR tables (SRCNN, SRResNet/SRGAN: Set5 4× bicubic 28.43 / SRResNet 32.05 / SRGAN 29.40 dB, Ledig et al. "
    "2017) in method, not in number: those use natural photographs, these the run's own dataset; the gain over "
    "bicubic on the same pairs is the comparable quantity"
)
declare("psnr_y", LazyFunction("zerosum.metrics.translation:psnr_y"), f"PSNR (dB) of upscaled images {_SR_PROTOCOL}",
        higher_is_better=True, comparable=_SR_COMPARABLE, tasks=("upscale",))  # fmt: skip
declare("ssim_y", LazyFunction("zerosum.metrics.translation:ssim_y"),
        f"SSIM (11×11 Gaussian window, σ 1.5) of upscaled images {_SR_PROTOCOL}",
        higher_is_better=True, comparable=_SR_COMPARABLE, tasks=("upscale",))  # fmt: skip
declare(
    "fid_sr",
    LazyFunction("zerosum.metrics.translation:fid_sr"),
    "FID (Inception pool-3) of the upscaled first 500 held-out images against their originals, bicubic's and KID "
    "in the details: how real the outputs look, which PSNR does not measure",
    higher_is_better=False,
    comparable="zerosum runs on the same held-out pairs only (a few hundred images: biased upwards, for ranking)",
    tasks=("upscale",),
)
declare(
    "fd_lenet_pairs",
    LazyFunction("zerosum.metrics.translation:fd_lenet_pairs"),
    "Fréchet distance in the project's LeNet features between G's outputs on the held-out pairs (upscaled, or "
    "drawn from masks) and their targets; bicubic's in the details when upscaling",
    higher_is_better=False,
    comparable=_INTERNAL,
    datasets=LENET_DATASETS,
    tasks=("upscale", "mask_to_photo"),
)
declare(
    "segmenter_score",
    LazyFunction("zerosum.metrics.segmenter:segmenter_score"),
    "pixel accuracy of a segmenter trained on real shapes, applied to the photos G draws from the held-out masks; "
    "the same segmenter on the real test photos in the details (`real`, `ratio`)",
    higher_is_better=True,
    comparable="pix2pix's FCN-score (labels → photo, an FCN trained on real Cityscapes) in method only",
    datasets=("shapes",),
    tasks=("mask_to_photo",),
)
declare(
    "silhouette_iou",
    LazyFunction("zerosum.metrics.translation:silhouette_iou"),
    "IoU of the object class between the silhouette of G's photo (thresholded as the masks were: "
    "data.pairs.threshold) and the held-out mask it was drawn from; real photos score 1 by construction",
    higher_is_better=True,
    comparable="pix2pix's FCN-score (is the drawn photo's layout the input's?) in idea; zerosum runs only in number",
    tasks=("mask_to_photo",),
)
declare(
    "pixel_accuracy",
    LazyFunction("zerosum.metrics.translation:pixel_accuracy"),
    "share of pixels of the held-out photos whose predicted class (argmax of G's maps) is the true one; mean IoU "
    "and per-class IoU in the details",
    higher_is_better=True,
    comparable="pix2pix's photo→labels table (Cityscapes per-pixel accuracy: L1 0.86, L1 + cGAN 0.83) in method only",
    tasks=("photo_to_mask",),
)
declare(
    "mean_iou",
    LazyFunction("zerosum.metrics.translation:mean_iou"),
    "intersection over union per class over all held-out pixels, averaged over the classes present",
    higher_is_better=True,
    comparable="pix2pix's photo→labels table (Cityscapes class IoU of L1 alone against L1 + cGAN) in method only",
    tasks=("photo_to_mask",),
)
