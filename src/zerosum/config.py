"""Run configuration: validated pydantic models, YAML presets and `--set key=value` overrides.

A run's `config.yaml` is the fully resolved `RunConfig`: enough to rebuild the data, the models and the trainer.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zerosum.errors import ConfigError, one_line


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DataConfig(_Section):
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


class ModelConfig(_Section):
    """Architecture of G and D. D always returns logits."""

    arch: Literal["dcgan", "mlp"] = "dcgan"
    nz: int = Field(100, ge=1)
    z_dist: Literal["normal", "uniform", "uniform_unit"] = Field(
        "normal", description="noise prior: N(0, 1), U(-1, 1), or U(-√3, √3) (unit variance, the GAN paper's code)"
    )
    conditional: bool = False
    embed_dim: int = Field(50, ge=1, description="label embedding size of conditional models")
    d_conditioning: Literal["concat", "projection"] = Field(
        "concat", description="conditional DCGAN D: one-hot label maps on the input, or a projection head"
    )
    pack: int = Field(
        1, ge=1, description="PacGAN (Lin et al. 2018): D judges groups of this many samples, one logit per group"
    )
    # dcgan
    ngf: int = Field(64, ge=1)
    ndf: int = Field(64, ge=1)
    d_minibatch_std: bool = Field(
        False, description="DCGAN D sees the batch's feature spread (Karras et al. 2018), which counters collapse"
    )
    batch_norm: bool = Field(True, description="DCGAN G and D use BatchNorm; false is the paper's ablation without it")
    # mlp (the GAN paper's MNIST model)
    g_hidden: list[int] = Field(default_factory=lambda: [1200, 1200])
    d_hidden: list[int] = Field(default_factory=lambda: [240, 240])
    maxout_pieces: int = Field(5, ge=1)
    d_drop_input: float = Field(0.2, ge=0.0, lt=1.0)
    d_drop_hidden: float = Field(0.5, ge=0.0, lt=1.0)
    g_init_range: float = Field(0.05, gt=0, description="MLP G weights start U(-r, r) (the paper's pylearn2 irange)")
    d_init_range: float = Field(0.005, gt=0, description="MLP D weights start U(-r, r)")
    mlp_init: Literal["uniform", "normal"] = Field(
        "uniform", description="MLP weights U(-range, range) as above, or N(0, mlp_init_std²) (PacGAN's models)"
    )
    mlp_init_std: float = Field(0.02, gt=0, description="std of the MLP weights when mlp_init is normal")
    g_batch_norm: bool = Field(
        False, description="MLP G hidden layers are Linear without bias → BatchNorm → ReLU (PacGAN's 2-D generator)"
    )
    bn_stats: Literal["running", "population"] = Field(
        "running",
        description="how a sampled G's BatchNorm normalises: the running averages training kept, or population "
        "statistics recomputed for the weights being sampled (an EMA copy of G needs them)",
    )
    g_output: Literal["auto", "sigmoid", "tanh", "linear"] = "auto"


class DivergenceConfig(_Section):
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


class TrainConfig(_Section):
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
    reuse_fake: bool = Field(
        False, description="G-step reuses the last D-step's noise and G forward pass instead of fresh noise"
    )
    r1_gamma: float = Field(0.0, ge=0, description="weight γ of the R1 penalty γ/2·E‖∇D(x)‖² on real data; 0 = off")
    r1_every: int = Field(4, ge=1, description="apply R1 every this many steps (scaled up to match)")
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


class EvalConfig(_Section):
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


class SampleConfig(_Section):
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


class DataInfo(_Section):
    """What training learned about the data, recorded so later verbs rebuild models without loading it."""

    kind: Literal["image", "points"]
    shape: list[int]
    num_classes: int = 0
    classes: list[str] = Field(default_factory=list)


class RunConfig(_Section):
    """Everything a run needs; `config.yaml` in a run directory is this, fully resolved."""

    preset: str | None = None
    description: str = ""
    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    sample: SampleConfig = Field(default_factory=SampleConfig)
    data_info: DataInfo | None = None

    @model_validator(mode="after")
    def _check_rejection(self) -> RunConfig:
        if self.sample.rejection == "drs" and self.model.conditional:
            raise ValueError("sample.rejection=drs is for unconditional runs; set sample.rejection=off")
        return self


def _format_validation(err: ValidationError, origin: str) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    return one_line(f"{origin}: {where}: {msg} (see `zerosum presets` and docs/train.md for valid keys)")


def validate(raw: dict[str, Any], origin: str = "config") -> RunConfig:
    """Build a RunConfig, turning pydantic's multi-line report into one line a user can act on."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{origin}: expected a mapping of sections (data, model, train, eval), got {type(raw).__name__}"
        )
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format_validation(err, origin)) from None


def _preset_dir() -> Any:
    return resources.files("zerosum") / "presets"


def preset_names() -> list[str]:
    return sorted(p.name[: -len(".yaml")] for p in _preset_dir().iterdir() if p.name.endswith(".yaml"))


def load_preset_raw(name: str) -> dict[str, Any]:
    names = preset_names()
    if name not in names:
        raise ConfigError(f"unknown preset {name!r}; choose one of: {', '.join(names)}")
    raw = yaml.safe_load((_preset_dir() / f"{name}.yaml").read_text()) or {}
    raw.setdefault("preset", name)
    return raw


def describe_presets() -> list[tuple[str, str]]:
    """(name, one-line description) of every shipped preset."""
    return [(n, str(load_preset_raw(n).get("description", "")).strip()) for n in preset_names()]


_YAML11_WORDS = {"on", "off", "yes", "no", "y", "n"}


def parse_override(text: str) -> tuple[list[str], Any]:
    """`train.steps=500` → (['train', 'steps'], 500); the value is parsed as YAML (numbers, lists, null)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: expected key=value, e.g. --set train.steps=500")
    if value.strip().lower() in _YAML11_WORDS:
        return [p for p in key.strip().split(".")], value.strip()  # `amp=off` means the word, not False
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        raise ConfigError(f"--set {text!r}: the value is not valid YAML") from None
    return [p for p in key.strip().split(".")], parsed


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `key=value` overrides to a raw config; unknown keys are caught later by validation."""
    for text in overrides:
        path, value = parse_override(text)
        node = raw
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {text!r}: {part!r} is a value, not a section")
            node = child
        node[path[-1]] = value
    return raw


def resolve(preset: str | None = None, overrides: list[str] | None = None, base: dict | None = None) -> RunConfig:
    """Preset (or a raw base config) + overrides → a validated RunConfig."""
    raw = dict(base) if base is not None else (load_preset_raw(preset) if preset else {})
    raw = apply_overrides(_deep_copy(raw), overrides or [])
    return validate(raw, origin=f"preset {preset}" if preset else "config")


def _deep_copy(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {k: _deep_copy(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_deep_copy(v) for v in raw]
    return raw


def to_yaml(cfg: RunConfig) -> str:
    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"  # yaml counts from 0, editors from 1


def _yaml_syntax(path: Path, err: yaml.MarkedYAMLError) -> str:
    """Where the parser stopped and why, so a hand-edited config can be fixed without guessing."""
    where = f"at {_at(err.problem_mark)}" if err.problem_mark else "somewhere"
    text = f"{path}: YAML syntax error {where}: {err.problem or 'unreadable'}"
    if err.context and err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
        text += f" ({err.context} at {_at(err.context_mark)})"  # e.g. the opening quote that never closes
    return f"{text}; fix the file or restore it"


def load_config_file(path: Path) -> RunConfig:
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as err:
        raise ConfigError(_yaml_syntax(path, err)) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        reason = err.__class__.__name__
        raise ConfigError(f"{path}: cannot read the run's config ({reason}); is it a run directory?") from None
    return validate(raw, origin=str(path))
