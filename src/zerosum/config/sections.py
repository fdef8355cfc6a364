"""The sections of a run's config other than the model: data, training, evaluation and sampling."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from zerosum.config.section import Section


class PairsConfig(Section):
    """(input, target) pairs built on the fly from an image dataset, for the image-to-image families.

    `upscale`: the target is the image, the input its downscaled copy (blurred first and noised after, when asked).
    `photo_to_mask` / `mask_to_photo`: the image and its per-pixel class mask, as one-hot maps; the masks come with
    the dataset (`shapes`) or from a threshold on a grey image (`masks: threshold`, the silhouettes of
    Fashion-MNIST).
    """

    task: Literal["upscale", "photo_to_mask", "mask_to_photo"]
    factor: int = Field(4, ge=2, le=64, description="upscale: the target is this many times the input's side")
    degrade: Literal["bicubic", "area"] = Field(
        "bicubic", description="upscale: how the input is made: antialiased bicubic (as MATLAB's imresize), or means"
    )
    blur: float = Field(0.0, ge=0, description="upscale: σ in target pixels of a Gaussian blur before downscaling")
    noise: float = Field(0.0, ge=0, description="upscale: std (in [0, 1] units) of Gaussian noise on the input")
    masks: Literal["dataset", "threshold"] = Field(
        "dataset", description="where masks come from: the dataset's own, or grey level > threshold (2 classes)"
    )
    threshold: int = Field(
        16, ge=0, le=254, description="masks: threshold: a pixel belongs to the object when its grey level exceeds this"
    )
    flip: bool = Field(
        False, description="training pairs are mirrored left-right at random (both images alike); held-out ones never"
    )
    test_classes: list[str] = Field(
        default_factory=list,
        description="the images of these classes form the held-out test pairs and are left out of training "
        "(Olivetti's subjects s37-s40); empty: the dataset's own test split",
    )

    @field_validator("factor")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"must be a power of two (2, 4, 8, ...): ×2 PixelShuffle stages make it; got {value}")
        return value


class DataConfig(Section):
    """Which dataset, and how its images are shaped before training."""

    name: str = "mnist"
    split: Literal["train", "test", "all"] = "train"
    root: str | None = None
    size: int | None = Field(None, ge=1, le=1024, description="square side after resize/crop; None keeps it")
    channels: Literal[1, 3] | None = None
    resize: Literal["area", "bicubic"] = "area"
    limit: int | None = Field(None, ge=1, description="keep only the first N items")
    skip_bad: bool = Field(
        False, description="leave unreadable image files out (counted and logged) instead of stopping at the first"
    )
    params: dict[str, Any] = Field(default_factory=dict, description="dataset-specific (toy sets: n, mu, ...)")
    pairs: PairsConfig | None = Field(None, description="image-to-image pairs built from the images (see PairsConfig)")
    labelled: int | None = Field(
        None,
        ge=1,
        description="keep the labels of this many images, class-balanced (data.labels.balanced_subset): a "
        "conditional GAN trains on those images alone, a semi-supervised GAN on every image with those labels",
    )
    label_seed: int = Field(0, ge=0, description="which class-balanced labelled subset data.labelled draws")


class DivergenceConfig(Section):
    """When a run counts as diverged, and how training recovers (docs/reliability.md).

    The defaults never fire on a healthy run: across the project's measured runs (the failing ablations included)
    D's loss never went below 9e-4, and below 1e-2 for at most 26 steps in a row.
    """

    check: bool = Field(True, description="watch for NaN/Inf and D-loss collapse; roll back and lower the lr")
    weights_every: int = Field(
        100, ge=1, description="check weights for NaN/Inf every this many steps (and before every checkpoint)"
    )
    d_loss_floor: float = Field(1e-4, ge=0, description="D's logged loss below this counts as a collapsed step")
    patience: int = Field(200, ge=0, description="consecutive collapsed steps that trigger a recovery; 0 = never")
    lr_factor: float = Field(0.5, gt=0, le=1, description="each recovery multiplies both learning rates by this")
    max_recoveries: int = Field(3, ge=0, description="recoveries per run; one more divergence stops training")


class TrainConfig(Section):
    """Algorithm 1 of the GAN paper plus the optimiser, schedules and bookkeeping around it."""

    seed: int = 0
    steps: int = Field(1000, ge=1, description="generator updates (iterations of Algorithm 1)")
    batch_size: int = Field(128, ge=1)
    fit_batch: bool = Field(
        False, description="a dataset smaller than batch_size trains with batches of the whole set (own folders)"
    )
    d_steps: int = Field(1, ge=1, description="k: discriminator updates per generator update")
    update: Literal["alternating", "simultaneous"] = Field(
        "alternating",
        description="alternating: Algorithm 1 (k D-steps on fresh batches, then a G-step against the updated D); "
        "simultaneous: one forward of G and D on one minibatch updates both (the GAN paper's released code)",
    )
    d_loss_scale: float = Field(
        1.0, gt=0, description="D's objective is multiplied by this (the released code's 0.5·[BCE(1) + BCE(0)])"
    )
    loss: Literal["minimax", "nonsaturating", "hinge"] = "nonsaturating"
    optimizer: Literal["adam", "sgd"] = "adam"
    lr_g: float = Field(2e-4, gt=0)
    lr_d: float = Field(2e-4, gt=0)
    betas: tuple[float, float] = (0.5, 0.999)
    # SGD with the GAN paper's schedules: momentum rises linearly, lr divided by lr_decay each update.
    momentum: float = Field(0.5, ge=0, lt=1)
    momentum_final: float | None = Field(None, ge=0, lt=1, description="None keeps momentum constant")
    momentum_steps: int = Field(1, ge=1, description="updates over which momentum reaches momentum_final")
    lr_decay: float = Field(1.0, ge=1.0, description="lr ← lr / lr_decay after every update")
    lr_min: float = Field(0.0, ge=0)
    lr_anneal_from: float | None = Field(
        None, ge=0, lt=1, description="fraction of train.steps after which the lr falls linearly to 0; None = off"
    )
    ema: float = Field(0.0, ge=0, lt=1, description="decay of an EMA copy of G used for sampling; 0 = off")
    d_ema: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="decay of an EMA copy of D's weights that a semi-supervised run classifies with (the paper's "
        "code tests an average of D's weights); 0 = off",
    )
    reuse_fake: bool = Field(
        False, description="G-step reuses the last D-step's noise and G forward pass instead of fresh noise"
    )
    r1_gamma: float = Field(0.0, ge=0, description="weight γ of the R1 penalty γ/2·E‖∇D(x)‖² on real data; 0 = off")
    r1_every: int = Field(4, ge=1, description="apply R1 every this many steps (scaled up to match)")
    instance_noise: float = Field(
        0.0,
        ge=0,
        description="σ of Gaussian noise added to every image D judges, real and generated, in G's output range "
        "(instance noise), falling linearly to 0 over instance_noise_steps; 0 = off",
    )
    instance_noise_steps: int | None = Field(
        None, ge=1, description="steps over which instance_noise falls to 0; None = train.steps"
    )
    amp: Literal["auto", "off", "bf16", "fp16"] = Field(
        "auto", description="mixed precision; auto = this machine's fastest sound choice (see docs/performance.md)"
    )
    channels_last: bool | Literal["auto"] = Field("auto", description="NHWC memory format for conv models")
    compile: bool = Field(False, description="torch.compile G and D; slower on the CPUs measured, for trying on a GPU")
    sync_bn: bool = Field(
        False, description="under torchrun, BatchNorm statistics over the global batch instead of each rank's shard"
    )
    device: str = "auto"
    threads: int | None = Field(None, ge=1, description="torch CPU threads; None = torch's default")
    # bookkeeping
    log_every: int = Field(1, ge=1)
    sample_every: int = Field(500, ge=1)
    ckpt_every: int = Field(1000, ge=1)
    keep_checkpoints: int = Field(3, ge=1)
    keep_every: int = Field(
        0,
        ge=0,
        description="also keep every checkpoint whose step is a multiple of this (a curve over training); 0 = off",
    )
    grid_size: int = Field(64, ge=1)
    progress: bool = True
    tensorboard: bool = True
    report: bool = Field(True, description="write RUN/report.html (zerosum report) when training ends")
    divergence: DivergenceConfig = Field(default_factory=DivergenceConfig)

    @field_validator("amp", mode="before")
    @classmethod
    def _amp_off(cls, value: Any) -> Any:
        return "off" if value is False else value  # YAML 1.1 reads a bare `off` as false

    @model_validator(mode="after")
    def _check_combinations(self) -> TrainConfig:
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ValueError("betas must lie in [0, 1)")
        if self.update == "simultaneous" and self.d_steps != 1:
            raise ValueError(
                "update=simultaneous updates D and G once from each minibatch: set train.d_steps=1, or use "
                "update=alternating for k > 1"
            )
        return self


class EvalConfig(Section):
    """Evaluation during training: which protocols (`zerosum metrics`), how often, and which one picks best.pt.

    Metric names and datasets are checked against the registry when training starts (zerosum.evaluation), not
    here, because the registry imports this module.
    """

    every: int = Field(0, ge=0, description="evaluate every this many steps and at the last step; 0 = off")
    metrics: list[str] = Field(default_factory=list, description="protocol names, e.g. [fd_lenet, confident_lenet]")
    best: str | None = Field(None, description="the metric that picks checkpoints/best.pt; None = the first metric")
    seed: int = Field(0, description="seed of the evaluation's own noise generator (training's RNGs are untouched)")

    @field_validator("metrics", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        if isinstance(value, str):  # --set eval.metrics=fd_lenet,confident_lenet
            return [n.strip() for n in value.split(",") if n.strip()]
        return value


class SampleConfig(Section):
    """How samples are drawn from a trained run, by every verb and metric that samples it."""

    rejection: Literal["off", "drs"] = Field(
        "off",
        description="drs: discriminator rejection sampling (Azadi et al. 2019), which keeps a sample with a "
        "probability rising with D's logit and so drops what D finds unlike the data (zerosum.rejection)",
    )
    drs_quantile: float = Field(
        0.9,
        gt=0,
        le=1,
        description="the burn-in's logit at this quantile is the threshold above which a sample is "
        "always kept; below it a sample is kept with probability exp(logit − threshold); 1 = the maximum",
    )
    drs_burn_in: int = Field(10_000, ge=100, description="samples scored to set the threshold")
    drs_calibrate_steps: int = Field(
        0,
        ge=0,
        description="Adam steps that train a copy of D further against the frozen G before rejecting, "
        "bringing it closer to the optimal D of that G (Azadi et al. fine-tune D so); 0 = D as trained",
    )
    drs_calibrate_lr: float = Field(1e-3, gt=0, description="the learning rate of those steps")


class DataInfo(Section):
    """What training learned about the data, recorded so later verbs rebuild models without loading it."""

    kind: Literal["image", "points", "pairs"]
    shape: list[int]  # what G makes: samples, or a translator's output
    num_classes: int = 0
    classes: list[str] = Field(default_factory=list)
    input_shape: list[int] | None = None  # a translator's input (pairs only)
    mask_classes: list[str] = Field(default_factory=list)  # the classes of the pairs' masks
