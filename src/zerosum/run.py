"""The run directory, the contract between training and every later verb.

    config.yaml      fully resolved RunConfig (with data_info), enough to rebuild the models without the data
    checkpoints/     step_XXXXXXXX.pt (atomic) and latest.json
    .lock            held by the process training the run (zerosum.lock); absent when none is
    samples/         fixed-noise preview grids; samples.png and loss.png at the top are the newest
    metrics.jsonl    one JSON object per logged step
    sessions.jsonl   one JSON object per training invocation: hardware, torch, threads, fast paths
    report.html      the self-contained report written when training ends (zerosum report)
    tb/              TensorBoard events

`load_run(path)` gives back the config and the models with weights; no verb reaches into training internals.
It also reads a generator export (`zerosum export`: safetensors + JSON, see export.py).
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch
from pydantic import ValidationError
from torch import nn

from zerosum.atomic import atomic_write_text
from zerosum.config import DataInfo, RunConfig, load_config_file, parse_model, to_yaml
from zerosum.errors import CheckpointError, ConfigError
from zerosum.lock import LOCK_NAME
from zerosum.models import build_models
from zerosum.models.batchnorm import with_population_statistics
from zerosum.training import checkpoint

CONFIG = "config.yaml"
log = logging.getLogger(__name__)


def is_run_dir(path: Path) -> bool:
    return (Path(path) / CONFIG).is_file()


def check_new_run_dir(out: Path, overwrite: bool, aside: bool = False) -> None:
    """Refuse to mix a new run into an existing folder, unless it is a run and `overwrite` or `aside` says so."""
    out = Path(out)
    if not out.exists() or (out.is_dir() and not any(p.name != LOCK_NAME for p in out.iterdir())):
        return
    if not out.is_dir():
        raise ConfigError(f"--out {out} is a file; choose a folder for the run")
    if not (overwrite or aside):
        raise ConfigError(
            f"{out} already holds files; continue it with `zerosum train --resume {out}`, "
            "or pass --aside (keeps it) or --overwrite, or choose another --out"
        )
    if not is_run_dir(out):
        raise ConfigError(f"{out} is not a zerosum run directory (no {CONFIG}); refusing to replace it")


def aside_name(out: Path) -> Path:
    """The first free OUT.1, OUT.2, … beside `out`."""
    n = 1
    while out.with_name(f"{out.name}.{n}").exists():
        n += 1
    return out.with_name(f"{out.name}.{n}")


def set_run_aside(out: Path) -> Path | None:
    """Move everything of the run at `out` (but the lock its new trainer holds) into OUT.N; None if it is empty.

    Called under the run's lock, so no trainer is writing what is moved; each move is a rename on one filesystem.
    """
    out = Path(out)
    children = [c for c in out.iterdir() if c.name != LOCK_NAME] if out.is_dir() else []
    if not children:
        return None
    target = aside_name(out)
    target.mkdir()
    for child in children:
        child.rename(target / child.name)
    return target


def create_run_dir(out: Path, cfg: RunConfig, overwrite: bool) -> Path:
    out = Path(out)
    if overwrite and is_run_dir(out):
        for child in out.iterdir():  # all but the lock this process holds
            if child.name == LOCK_NAME:
                continue
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    (out / "samples").mkdir(exist_ok=True)
    write_config(out, cfg)
    return out


def write_config(run_dir: Path, cfg: RunConfig) -> None:
    atomic_write_text(Path(run_dir) / CONFIG, to_yaml(cfg))


def read_config(run_dir: Path) -> RunConfig:
    run_dir = Path(run_dir)
    if not is_run_dir(run_dir):
        raise CheckpointError(f"{run_dir} is not a zerosum run directory (no {CONFIG}); train one with zerosum train")
    cfg = load_config_file(run_dir / CONFIG)
    if cfg.data_info is None:
        raise CheckpointError(f"{run_dir / CONFIG} lacks data_info; it was not written by zerosum train")
    return cfg


def check_checkpoint_matches(state: dict, cfg: RunConfig, path: Path) -> None:
    """A checkpoint of another architecture is refused before any weight is copied.

    The saved sections are validated first, so fields added to the schema later compare as their defaults.
    """
    saved = state.get("config") or {}
    for section, parse in (("model", parse_model), ("data_info", DataInfo.model_validate)):
        ours = getattr(cfg, section)
        try:
            theirs = parse(saved.get(section) or {})
        except ValidationError:
            theirs = None
        if theirs != ours:
            a = ours.model_dump() if ours is not None else {}
            b = theirs.model_dump() if theirs is not None else {}
            diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)) or ["all"]
            raise CheckpointError(
                f"{path} was trained with another {section} ({', '.join(diff)} differ); "
                "use the checkpoint with the run it came from"
            )


def _load_checkpoint(run_dir: Path, which: str) -> tuple[Path, dict]:
    """The chosen checkpoint; for 'latest', the newest one that loads, with a warning naming any skipped."""
    if which == "latest":
        loaded = checkpoint.load_newest_readable(run_dir / "checkpoints")
        if loaded is not None:
            if loaded.warning():
                log.warning("%s", loaded.warning())
            return loaded.path, loaded.state
    path = checkpoint.resolve(run_dir, which)  # raises the "no checkpoint yet" error for an empty run
    return path, checkpoint.load(path)


@dataclass
class Run:
    """A loaded run. D is None for a generator export (`zerosum export`), which ships G alone."""

    path: Path
    config: RunConfig
    G: nn.Module
    D: nn.Module | None
    G_ema: nn.Module | None
    step: int
    checkpoint: Path
    device: torch.device
    D_ema: nn.Module | None = None  # a semi-supervised run's averaged D (`train.d_ema`)

    # models derived from the weights on first use and kept for the loaded run's life: the population-statistics
    # generator (`generator`), the calibrated discriminator of rejection sampling (`zerosum.rejection`)
    derived: dict[str, nn.Module] = field(default_factory=dict, repr=False, compare=False)

    @property
    def generator(self) -> nn.Module:
        """The generator to sample from: the EMA copy when training kept one, with BatchNorm statistics measured
        for its weights when `model.bn_stats` is population (computed once per loaded run)."""
        G = self.G_ema if self.G_ema is not None else self.G
        if self.config.model.bn_stats != "population":
            return G
        if "generator" not in self.derived:
            with torch.inference_mode(False):  # the copy's weights stay ordinary tensors, usable with autograd
                self.derived["generator"] = with_population_statistics(G)
        return self.derived["generator"]

    @property
    def classifier(self) -> nn.Module | None:
        """The D that classifies: the averaged copy when training kept one (`train.d_ema`), else D."""
        return self.D_ema if self.D_ema is not None else self.D


def build_run_models(cfg: RunConfig) -> tuple[nn.Module, nn.Module]:
    """Freshly initialised (G, D) of a run's architecture, from its config alone (data_info says the shapes)."""
    info = cfg.data_info
    num_classes = info.num_classes if cfg.model.needs_classes else 0
    input_shape = tuple(info.input_shape) if info.input_shape is not None else None
    return build_models(cfg.model, tuple(info.shape), num_classes, input_shape=input_shape)


def load_run(path: str | Path, checkpoint_name: str = "latest", device: str | torch.device = "cpu") -> Run:
    """Config and models (eval mode) of a run directory, with the weights of the chosen checkpoint.

    An export folder (`zerosum export`) loads too, from safetensors, with D None.
    """
    path = Path(path)
    from zerosum.export import is_export, load_export

    if is_export(path) and not is_run_dir(path):
        if checkpoint_name != "latest":
            raise ConfigError(f"{path} is an export with one set of weights; drop --checkpoint {checkpoint_name}")
        return load_export(path, device)
    cfg = read_config(path)
    ckpt_path, state = _load_checkpoint(path, checkpoint_name)
    check_checkpoint_matches(state, cfg, ckpt_path)
    G, D = build_run_models(cfg)
    G_ema = D_ema = None
    try:
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        if state.get("G_ema") is not None:
            G_ema, _ = build_run_models(cfg)
            G_ema.load_state_dict(state["G_ema"])
        if state.get("D_ema") is not None:
            _, D_ema = build_run_models(cfg)
            D_ema.load_state_dict(state["D_ema"])
    except (RuntimeError, KeyError) as err:
        first = str(err).strip().splitlines()[0][:200]
        raise CheckpointError(f"{ckpt_path} does not fit the run's architecture: {first}") from None
    device = torch.device(device)
    models = [m.to(device).eval() for m in (G, D, G_ema, D_ema) if m is not None]
    for m in models:
        m.requires_grad_(False)
    return Run(path, cfg, G.to(device), D.to(device), G_ema, int(state["step"]), ckpt_path, device, D_ema)


def require_gan(run: Run, verb: str) -> Run:
    """One line when a verb that works on G's noise is given an image-to-image run, naming the verb it wants."""
    if run.config.model.translates:
        other = "upscale" if run.config.model.arch == "srgan" else "translate"
        raise ConfigError(
            f"zerosum {verb} is for GANs that map noise to images; {run.path} is an image-to-image run "
            f"(model.arch={run.config.model.arch}): use zerosum {other}"
        )
    return run


def as_run(
    run: Run | str | os.PathLike,
    checkpoint_name: str | os.PathLike | None = None,
    device: str | torch.device | None = None,
) -> Run:
    """A loaded `Run` as it is, or the run directory (or generator export) at a path loaded with `load_run`.

    Lets every API function take either; `checkpoint_name` and `device` choose how a path is loaded, so they are
    refused beside a `Run`, whose weights and device were chosen when it was loaded.
    """
    if isinstance(run, Run):
        if checkpoint_name is not None or device is not None:
            raise ConfigError(
                "checkpoint and device choose how a run directory is loaded; this Run is loaded already: "
                "pass its path instead, or load_run(path, checkpoint, device)"
            )
        return run
    if not isinstance(run, (str, os.PathLike)):
        raise TypeError(f"expected a Run or the path of a run directory, got {type(run).__name__}")
    return load_run(run, str(checkpoint_name) if checkpoint_name is not None else "latest", device or "cpu")
