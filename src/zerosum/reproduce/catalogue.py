"""Every experiment of `zerosum reproduce`: its name, title, source and budgets, and where its function lives.

Declared here, without torch, so `zerosum reproduce --list` answers at once; the functions (one module per
experiment family, each training and measuring with torch) load when an experiment runs. The order is that of
`--list` and RESULTS.md: the GAN paper, the DCGAN paper, then the mode-collapse benchmarks. Each `fast` budget is
sized for 2 CPU cores, as its module's docstring explains.
"""

from __future__ import annotations

from typing import Any

from zerosum.lazy import LazyFunction
from zerosum.reproduce.registry import declare

LUCIC = "Lucic et al. 2018, best NS-GAN"
LENET = ["fd_lenet", "confident_lenet"]
# The lr falls linearly to 0 over the second half: with a constant lr the pair keeps circling the optimum.
TOY_1D_RECIPE = ["train.lr_anneal_from=0.5"]
# PacGAN4 (D judges 4 samples jointly, so a G that drops modes is easy to spot), the lr annealed to 0 over the
# second half with an EMA of G (raised the high-quality share in 3-seed trials), and a small R1 penalty (D's gradient
# vanishes on the data, so G settles on the modes; it balanced them): see docs/results/ring-8-tried.md.
MIXTURE_RECIPE = ["model.pack=4", "train.r1_gamma=0.01", "train.lr_anneal_from=0.5", "train.ema=0.999"]
# For the ring, PacGAN's own models (the `pacgan-ring8` preset: BatchNorm G of 4 × 400, maxout D, packing 4) at a
# ten times higher lr, β1 0.5, with the same schedule, EMA and R1: all 8 modes and 86.5–92.7% high quality in five
# seeds, against 68.8% for the small MLP and 88.7% with its batches of 1,024 (docs/results/ring-8-tried.md).
RING_PRESET = "pacgan-ring8"
RING_RECIPE = [
    "train.lr_g=1e-3",
    "train.lr_d=1e-3",
    "train.betas=[0.5, 0.999]",
    "train.r1_gamma=0.01",
    "train.lr_anneal_from=0.5",
    "train.ema=0.999",
]


def _fid_budgets(fast_steps: int, paper_steps: int, extras: list[str]) -> dict[str, dict[str, Any]]:
    return {
        "fast": {"steps": fast_steps, "recipe": "demo", "overrides": ["model.ngf=32", "model.ndf=32"],
                 "metric": "fid2k_test", "extras": extras},
        "paper": {"steps": paper_steps, "recipe": "preset", "overrides": [], "metric": "fid10k_test",
                  "extras": extras},
    }  # fmt: skip


def _declare_mixture(
    name: str, function: str, what: str, table: str, pacgan: str, recipe: list[str], fast_preset: str
) -> None:
    """A 2-D mixture benchmark. fast: the zerosum recipe on `fast_preset` (the benchmark's small MLP or PacGAN's
    models), two seeds at a time on one thread each (the toys keep one core busy at most); paper: PacGAN's own
    models and recipe for its 400 epochs × 1,000 steps."""
    declare(
        name,
        LazyFunction(f"zerosum.reproduce.mixtures:{function}"),
        title=f"mode coverage of {what}, 10 seeds",
        source=f"Lin et al. 2018 (PacGAN), {table} table; Srivastava et al. 2017 (VEEGAN)",
        budgets={
            "fast": {"seeds": 10, "steps": 5000, "recipe": recipe, "preset": fast_preset, "workers": 2},
            "paper": {"seeds": 10, "steps": 400_000, "recipe": [], "preset": pacgan, "workers": 2},
        },
    )


def _features_budget(max_train: int | None) -> dict[str, Any]:
    return {"sources": ["dcgan-mnist", "dcgan-fashion", "dcgan-cifar10"], "steps": None, "extra": [], "labels": 1000,
            "seeds": 5, "epochs": 30, "all_labels": ["dcgan-cifar10"], "max_train": max_train}  # fmt: skip


declare(
    "toy-1d",
    LazyFunction("zerosum.reproduce.toy1d:toy_1d"),
    title="Figure 1: G learns a 1-D Gaussian and D(x) → 1/2",
    source="Goodfellow et al. 2014, Figure 1",
    budgets={
        "fast": {"steps": 10000, "moments": [100, 1000, 3000, 10000], "samples": 100_000, "recipe": TOY_1D_RECIPE},
        "paper": {"steps": 30000, "moments": [100, 1000, 5000, 30000], "samples": 100_000, "recipe": TOY_1D_RECIPE},
    },
)
declare(
    "gan-mnist",
    LazyFunction("zerosum.reproduce.gan_mnist:gan_mnist"),
    title="Table 1: Parzen-window log-likelihood of the MNIST test set",
    source="Goodfellow et al. 2014, Table 1",
    budgets={
        # the released code for 32 epochs, and zerosum's short-run DCGAN recipe with its goal: ≈ 16 min on 2 cores
        "fast": {"steps": 16000, "dcgan_steps": 6000, "dcgan_preset": "demo", "dcgan_goal": 200.0},
        # 300 epochs of the released code, every 25th epoch's checkpoint kept and scored for the curve
        "paper": {
            "steps": 150000,
            "dcgan_steps": 10000,
            "curve_every": 12500,
            "dcgan_preset": "dcgan-mnist",
            "dcgan_goal": None,
        },
    },
)
declare(
    "dcgan-mnist",
    LazyFunction("zerosum.reproduce.fid_tables:dcgan_mnist"),
    title="DCGAN on MNIST: FID on the test split",
    source=f"Radford et al. 2015; {LUCIC}",
    budgets=_fid_budgets(9000, 20000, LENET),
)
declare(
    "dcgan-fashion",
    LazyFunction("zerosum.reproduce.fid_tables:dcgan_fashion"),
    title="DCGAN on Fashion-MNIST: FID on the test split",
    source=f"Radford et al. 2015; {LUCIC}",
    budgets=_fid_budgets(9000, 20000, LENET),
)
declare(
    "dcgan-cifar10",
    LazyFunction("zerosum.reproduce.fid_tables:dcgan_cifar10"),
    title="DCGAN on CIFAR-10 (JPEG copy): FID on the test split",
    source="Radford et al. 2015; Heusel et al. 2017 (TTUR); StudioGAN",
    budgets=_fid_budgets(6000, 50000, []),
)
declare(
    "dcgan-faces",
    LazyFunction("zerosum.reproduce.faces:dcgan_faces"),
    title="DCGAN on Olivetti faces 64×64: samples and their nearest training faces",
    source="Radford et al. 2015: faces (section 4.2) and the memorisation question of sections 4.1 and 6.1",
    budgets={
        "fast": {"steps": 700, "ngf": 64, "ndf": 64, "samples": 1000},  # ≈ 16 min on 2 cores
        "paper": {"steps": 5000, "ngf": 64, "ndf": 64, "samples": 1000},
    },
)
_declare_mixture("ring-8", "ring_8", "8 Gaussians on a ring", "2D-ring", "pacgan-ring8", RING_RECIPE, RING_PRESET)
_declare_mixture("grid-25", "grid_25", "25 Gaussians on a grid", "2D-grid", "pacgan-grid25", MIXTURE_RECIPE, "grid-25")
declare(
    "stacked-mnist",
    LazyFunction("zerosum.reproduce.stacked:stacked_mnist"),
    title="Stacked MNIST: modes of 1,000 and KL to uniform",
    source="Srivastava et al. 2017 (VEEGAN); Lin et al. 2018 (PacGAN): Stacked MNIST",
    budgets={
        "fast": {"steps": 18000, "recipe": "demo", "overrides": ["model.pack=2", "model.ngf=32", "model.ndf=32"],
                 "metric": "modes_stacked_mnist", "real_reference": True},
        "paper": {"steps": 20000, "recipe": "preset", "overrides": ["model.pack=2"],
                  "metric": "modes_stacked_mnist", "real_reference": True},
    },
)  # fmt: skip
declare(
    "dcgan-ablation",
    LazyFunction("zerosum.reproduce.ablation:dcgan_ablation"),
    title="DCGAN's training details on MNIST: β1, learning rate, BatchNorm",
    source="Radford et al. 2015, section 4 (details of adversarial training)",
    budgets={  # the variants are ablation.VARIANTS, each run alone from each seed; ≈ 17 min on 2 cores
        "fast": {"steps": 2500, "seeds": 2, "eval_every": 250, "metrics": LENET,
                 "variants": ["baseline", "beta1-0.9", "lr-1e-3", "no-batchnorm"],
                 "base": ["train.ema=0", "model.ngf=32", "model.ndf=32", "train.lr_anneal_from=0.5"],
                 "workers": 2},
        "paper": {"steps": 5000, "seeds": 2, "eval_every": 500, "metrics": LENET,
                  "variants": ["baseline", "beta1-0.9", "lr-1e-3", "no-batchnorm"], "base": ["train.ema=0"],
                  "workers": 2},
    },
)  # fmt: skip
declare(
    "dcgan-features",
    LazyFunction("zerosum.reproduce.features:dcgan_features"),
    title="DCGAN discriminator features + linear L2-SVM, against the same network trained on the labels",
    source="Radford et al. 2015, §5.1 and Tables 1–2",
    budgets={"fast": _features_budget(10_000), "paper": _features_budget(None)},
)
# zerosum's recipe for SR in minutes, not the paper's (MSE, Adam 1e-4, no skip): L1, a ten times higher lr annealed
# over the second half, random mirroring of the 360 training faces, and G learning only what bicubic misses
# (VDSR's global residual); each measured in docs/results/srgan-faces-tried.md.
SR_FAST_RECIPE = [
    "model.pixel_loss=l1",
    "train.lr_g=1e-3",
    "train.lr_anneal_from=0.5",
    "data.pairs.flip=true",
    "model.bicubic_skip=true",
]
SR_PAPER = ["model.ngf=64", "model.ndf=64", "model.blocks=16"]


def _sr_budgets(preset: str, target_gain: float | None, fast: dict[str, Any] | None = None,
                **wording: Any) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Both budgets of an SR experiment: the fast recipe for minutes, the paper's width and depth for hours;
    `fast` replaces keys of the fast budget (digits are not mirrored)."""
    common = {"preset": preset, **({} if target_gain is None else {"target_gain": target_gain}), **wording}
    return {
        "fast": {**common, "overrides": SR_FAST_RECIPE, "pixel_steps": 3000, "gan_steps": 800, **(fast or {})},
        "paper": {**common, "overrides": SR_PAPER, "pixel_steps": 20000, "gan_steps": 10000},
    }


declare(
    "srgan-faces",
    LazyFunction("zerosum.reproduce.super_resolution:srgan"),
    title="SRResNet and SRGAN 4× on Olivetti faces (16×16 → 64×64), subjects s37-s40 held out",
    source="Ledig et al. 2017 (SRGAN): SRResNet on MSE, then the GAN from it; PSNR/SSIM against bicubic",
    budgets=_sr_budgets("srgan-faces", 2.5),
)
declare(
    "srgan-cifar10",
    LazyFunction("zerosum.reproduce.super_resolution:srgan"),
    title="SRResNet and SRGAN 4× on CIFAR-10 (8×8 → 32×32 RGB), scored on the test split",
    source="Ledig et al. 2017 (SRGAN): SRResNet on MSE, then the GAN from it; PSNR/SSIM on Y against bicubic",
    budgets=_sr_budgets("srgan-cifar10", 1.5, images="CIFAR-10 images", held_out="CIFAR-10's test split"),
)
# The paper's VGG-19 content loss has no offline weights: the MNIST experiment measures the two stand-ins on the
# GAN stage (LeNet's term at weight 0.2 and D's at 1 start near the pixel term in trials of 600 steps), and the
# SRResNet trained for as many steps, since the GAN stage keeps training the content loss.
_VGG54 = "Ledig et al.: SRGAN-VGG54 rated above SRGAN-MSE"
SR_STAGE_VARIANTS = [
    ["resnet", "SRResNet, both stages' steps", ["model.adv_weight=0"], "Set5 4×: SRResNet 32.05 dB"],
    ["d", "SRGAN + D features", ["model.feature_loss=d", "model.feature_weight=1"], _VGG54],
    ["lenet", "SRGAN + LeNet features", ["model.feature_loss=lenet", "model.feature_weight=0.2"], _VGG54],
]
declare(
    "srgan-mnist",
    LazyFunction("zerosum.reproduce.super_resolution:srgan"),
    title="SRResNet and SRGAN 4× on MNIST (7×7 → 28×28), scored on the test split, with and without feature losses",
    source="Ledig et al. 2017 (SRGAN): SRResNet, then the GAN from it; its VGG content loss, here D's or LeNet's",
    budgets=_sr_budgets(
        "srgan-mnist", None,
        fast={"overrides": [o for o in SR_FAST_RECIPE if not o.startswith("data.pairs.flip")], "pixel_steps": 1200,
              "gan_steps": 800},
        workers=4, perceptual="fd_lenet_pairs", perceptual_target=False, variants=SR_STAGE_VARIANTS,
        images="MNIST digits", held_out="MNIST's test split",
    ),
)  # fmt: skip
# zerosum's photo → mask recipe, from four 2,000-step trials (docs/results/pix2pix-shapes-tried.md): a five times
# higher lr annealed over the second half, the pixel term at 1000 · MSE rather than 100 (at 100 D won and G's masks
# fell below the U-Net's alone), instance noise on what D sees.
P2P_MASK_OBJECTIVE = ["model.pixel_weight=1000", "train.instance_noise=0.3"]
P2P_MASK_RECIPE = ["train.lr_g=1e-3", "train.lr_anneal_from=0.5", *P2P_MASK_OBJECTIVE]
declare(
    "pix2pix-shapes",
    LazyFunction("zerosum.reproduce.translation:pix2pix"),
    title="pix2pix on generated shapes: photo → mask (against U-Nets on a pixel loss alone) and mask → photo",
    source="Isola et al. 2017 (pix2pix): cGAN + L1, PatchGAN; photo → labels and the FCN-score of labels → photo",
    budgets={
        "fast": {"steps": 2000, "overrides": [], "mask_recipe": P2P_MASK_RECIPE, "workers": 2},
        "paper": {
            "steps": 20000,
            "overrides": ["model.ngf=64", "model.ndf=64"],
            "mask_recipe": P2P_MASK_OBJECTIVE,
            "workers": 2,
        },
    },
)
declare(
    "pix2pix-fashion",
    LazyFunction("zerosum.reproduce.translation:pix2pix_fashion"),
    title="pix2pix silhouette → garment on Fashion-MNIST, cGAN + L1 against L1 alone",
    source="Isola et al. 2017 (pix2pix): cGAN + 100·L1 and L1 alone on labels → photo, scored on the drawn photos",
    budgets={
        "fast": {"steps": 3000, "overrides": [], "workers": 2},
        "paper": {"steps": 20000, "overrides": ["model.ngf=64", "model.ndf=64"], "workers": 2},
    },
)
# Few labels (few_labels.py). Both experiments train the all-labels cGANs with the same steps and overrides, so
# `few-labels` reuses the runs `cgan-conditioning` finished. fast: half-width cGANs, two at a time, the preset's of
# 6,000 steps (GAN-test reaches 98% on MNIST near there), the variants' of 3,000; paper: the DCGAN paper's widths
# and batch for 20,000 steps.
CGAN_FAST = {"steps": 6000, "variant_steps": 3000, "overrides": [], "workers": 2}
CGAN_PAPER = {
    "steps": 20000, "variant_steps": 20000, "overrides": ["model.ngf=64", "model.ndf=64", "train.batch_size=128"],
    "workers": 2,
}  # fmt: skip
declare(
    "cgan-conditioning",
    LazyFunction("zerosum.reproduce.few_labels:conditioning"),
    title="a conditional DCGAN that conditions: GAN-test, per-class diversity and CAS on MNIST and Fashion-MNIST",
    source="de Vries et al. 2017 / Miyato & Koyama 2018 (conditional BatchNorm, projection D), Odena et al. 2017 "
    "(ACGAN), Shmelkov et al. 2018 (GAN-test), Ravuri & Vinyals 2019 (CAS)",
    budgets={"fast": CGAN_FAST, "paper": CGAN_PAPER},
)
declare(
    "few-labels",
    LazyFunction("zerosum.reproduce.few_labels:few_labels"),
    title="few labels: a classifier with classic augmentation or a cGAN's samples; the semi-supervised GAN",
    source="Salimans et al. 2016 (semi-supervised GAN, feature matching); Ravuri & Vinyals 2019 (augmentation)",
    budgets={
        "fast": {**CGAN_FAST, "labels": [100, 600, 1000, 6000], "seeds": 3, "subset_labels": [100], "cgan_steps": 1500,
                 "cgan_overrides": [], "classifier_steps": 500, "mix": 1.0,
                 "methods": ["labelled", "shifts", "cgan_subset", "cgan_all"],
                 "ssgan_steps": 5000, "ssgan_seeds": 1, "ssgan_labels": 100, "ssgan_target": 2.0},
        "paper": {**CGAN_PAPER, "labels": [100, 600, 1000, 6000], "seeds": 3, "subset_labels": [100, 600, 1000, 6000],
                  "cgan_steps": 10000, "cgan_overrides": ["model.ngf=64", "model.ndf=64"], "classifier_steps": 2000,
                  "mix": 1.0, "methods": ["labelled", "shifts", "cgan_subset", "cgan_all"],
                  "ssgan_steps": 180000, "ssgan_seeds": 3, "ssgan_labels": 100, "ssgan_target": 1.0,
                  "ssgan_cifar10_steps": 600000},
    },
)  # fmt: skip
