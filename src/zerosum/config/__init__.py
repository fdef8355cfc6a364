"""Run configuration: validated pydantic models, YAML presets and `--set key=value` overrides.

A run's `config.yaml` is the fully resolved `RunConfig`: enough to rebuild the data, the models and the trainer.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from zerosum.config.model import (
    DEFAULT_ARCH,
    FAMILIES,
    TRANSLATORS,
    DCGANConfig,
    GanBase,
    MLPConfig,
    ModelBase,
    ModelConfig,
    Pix2PixConfig,
    SemiSupervisedConfig,
    SRGANConfig,
    TranslatorBase,
    family_keys,
    parse_model,
)
from zerosum.config.section import Section
from zerosum.config.sections import (
    DataConfig,
    DataInfo,
    DivergenceConfig,
    EvalConfig,
    PairsConfig,
    SampleConfig,
    TrainConfig,
)
from zerosum.errors import ConfigError, one_line

__all__ = [
    "FAMILIES",
    "TRANSLATORS",
    "DCGANConfig",
    "DataConfig",
    "DataInfo",
    "DivergenceConfig",
    "EvalConfig",
    "GanBase",
    "MLPConfig",
    "ModelBase",
    "ModelConfig",
    "PairsConfig",
    "Pix2PixConfig",
    "RunConfig",
    "SRGANConfig",
    "SemiSupervisedConfig",
    "SampleConfig",
    "Section",
    "TrainConfig",
    "TranslatorBase",
    "family_keys",
    "parse_model",
    "resolve",
    "validate",
]


class RunConfig(Section):
    """Everything a run needs; `config.yaml` in a run directory is this, fully resolved."""

    preset: str | None = None
    description: str = ""
    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=DCGANConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    sample: SampleConfig = Field(default_factory=SampleConfig)
    data_info: DataInfo | None = None

    @model_validator(mode="after")
    def _check_rejection(self) -> RunConfig:
        if self.sample.rejection == "drs" and self.model.conditional:
            raise ValueError("sample.rejection=drs is for unconditional runs; set sample.rejection=off")
        return self

    @model_validator(mode="after")
    def _check_labelled(self) -> RunConfig:
        """`data.labelled` thins the labels of a model that reads them, and a semi-supervised GAN needs it."""
        if self.model.arch == "ssgan" and self.data.labelled is None:
            raise ValueError("model.arch=ssgan learns from a few labels: set data.labelled (e.g. 100)")
        if self.train.d_ema > 0 and self.model.arch != "ssgan":
            raise ValueError("train.d_ema averages a classifying D: it is for model.arch=ssgan; drop it")
        if self.data.labelled is not None and not self.model.needs_classes:
            raise ValueError(
                "data.labelled keeps a few labels for a model that reads them: set model.conditional=true or "
                "model.arch=ssgan, or drop data.labelled"
            )
        return self

    @model_validator(mode="after")
    def _check_acgan(self) -> RunConfig:
        if getattr(self.model, "aux_weight", 0.0) > 0 and self.train.update != "alternating":
            raise ValueError("model.aux_weight (ACGAN) trains in Algorithm 1's order; set train.update=alternating")
        return self

    @model_validator(mode="after")
    def _check_translation(self) -> RunConfig:
        """A translator needs pairs to learn from, and pairs need a translator."""
        arch, pairs = self.model.arch, self.data.pairs
        if self.model.translates and pairs is None:
            task = "upscale" if arch == "srgan" else "photo_to_mask"
            raise ValueError(f"model.arch={arch} learns from image pairs: set data.pairs.task (e.g. {task})")
        if pairs is not None and not self.model.translates:
            raise ValueError(
                f"data.pairs is for the image-to-image families ({', '.join(TRANSLATORS)}), not model.arch={arch}; "
                "drop data.pairs or set model.arch"
            )
        if arch == "srgan" and pairs is not None and pairs.task != "upscale":
            raise ValueError(f"model.arch=srgan upscales: set data.pairs.task=upscale (not {pairs.task})")
        if self.sample.rejection != "off" and self.model.translates:
            raise ValueError("sample.rejection is for noise-to-image GANs; set sample.rejection=off")
        t = self.train
        noise_step = {
            "update=simultaneous": t.update != "alternating",
            "d_steps": t.d_steps != 1,
            "r1_gamma": t.r1_gamma > 0,
            "reuse_fake": t.reuse_fake,
        }
        unused = [f"train.{k}" for k, on in noise_step.items() if on]
        if self.model.translates and unused:
            raise ValueError(
                f"{', '.join(unused)}: settings of the noise GANs' step; a translator takes one D-step and one G-step "
                "per batch: drop them"
            )
        return self


def _format_validation(err: ValidationError, origin: str) -> str:
    first = err.errors()[0]
    loc = [str(p) for p in first["loc"]]
    family = None
    if len(loc) >= 2 and loc[0] == "model" and loc[1] in FAMILIES:  # the union's tag: say it in words instead
        family = loc.pop(1)
    where = ".".join(loc) or "(top level)"
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
        if family is not None:
            others = [a for a in FAMILIES if a != family and loc[-1] in family_keys(a)]
            msg = (
                f"not a key of model.arch={family} (it belongs to arch={others[0]})"
                if others
                else f"unknown key for model.arch={family}"
            )
    elif first["type"] == "union_tag_invalid":
        where, msg = "model.arch", f"must be one of {', '.join(FAMILIES)}"
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
    before = _deep_copy(raw)
    raw = apply_overrides(_deep_copy(raw), overrides or [])
    _switch_family(before, raw)
    return validate(raw, origin=f"preset {preset}" if preset else "config")


def _switch_family(before: dict[str, Any], after: dict[str, Any]) -> None:
    """When overrides change `model.arch`, drop the base's keys that the new family lacks (a DCGAN preset's ngf
    means nothing to an MLP), keeping every key the overrides set, so their mistakes are still reported."""
    old, new = before.get("model"), after.get("model")
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    arch = new.get("arch", DEFAULT_ARCH)
    if arch == old.get("arch", DEFAULT_ARCH) or arch not in FAMILIES:
        return
    own = family_keys(arch)
    for key, value in old.items():
        if key not in own and new.get(key) == value:
            del new[key]


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
