"""The public Python API; the CLI calls only these functions."""

from __future__ import annotations

from pathlib import Path

from zerosum.config import DataInfo, RunConfig, resolve
from zerosum.data import load_dataset
from zerosum.data.dataset import place
from zerosum.errors import ConfigError
from zerosum.evaluation import evaluate, list_metrics
from zerosum.run import check_checkpoint_matches, check_new_run_dir, create_run_dir, read_config, write_config
from zerosum.runtime import resolve_device, set_threads
from zerosum.training import checkpoint, distributed
from zerosum.training.evaluator import check_eval_config
from zerosum.training.state import build_state
from zerosum.training.trainer import Trainer, TrainResult

__all__ = ["evaluate", "list_metrics", "make_config", "resume", "train"]  # evaluate: see zerosum.evaluation


def make_config(
    preset: str | None = None, overrides: list[str] | tuple[str, ...] = (), data_root: str | None = None
) -> RunConfig:
    """A validated config from a preset and `key=value` overrides."""
    cfg = resolve(preset, list(overrides))
    if data_root is not None:
        cfg.data.root = str(data_root)
    return cfg


def _data_info(data) -> DataInfo:
    return DataInfo(kind=data.kind, shape=list(data.shape), num_classes=data.num_classes, classes=list(data.classes))


def _fresh_state(cfg: RunConfig, data, device, world):
    """Step 0 of a run: models initialised from the seed (G's output bias from the data's mean)."""
    pixel_mean = data.pixel_mean() if data.kind == "image" else None
    stats = (data.points.mean(0), data.points.std(0)) if data.kind == "points" else None
    num_classes = data.num_classes if cfg.model.conditional else 0
    return build_state(cfg, tuple(data.shape), num_classes, len(data), pixel_mean, device, world, stats)


def train(
    preset: str | None = None,
    *,
    overrides: list[str] | tuple[str, ...] = (),
    out: str | Path | None = None,
    config: RunConfig | None = None,
    data_root: str | None = None,
    overwrite: bool = False,
) -> TrainResult:
    """Train a new run. Everything a user can get wrong is checked before the run directory is created."""
    cfg = config.model_copy(deep=True) if config is not None else make_config(preset, overrides, data_root)
    check_eval_config(cfg)  # names and dataset, before the data is loaded
    out = Path(out) if out is not None else Path("runs") / (cfg.preset or "run")
    world, device_name = distributed.setup(cfg.train.device)
    try:
        check_new_run_dir(out, overwrite)
        distributed.check_batch(cfg.train.batch_size, world)
        device = resolve_device(device_name)
        set_threads(cfg.train.threads)
        data = place(load_dataset(cfg.data), device)
        cfg.data_info = _data_info(data)
        check_eval_config(cfg)  # again, now that the samples' shape is known
        if cfg.model.conditional and data.num_classes < 2:
            name = cfg.data.name
            raise ConfigError(f"model.conditional needs class labels but {name} has none; set model.conditional=false")
        state = _fresh_state(cfg, data, device, world)
        world.barrier()  # every rank has checked the folder before rank 0 creates it
        run_dir = create_run_dir(out, cfg, overwrite) if world.is_main else out
        return Trainer(cfg, data, state, run_dir, device).fit()
    finally:
        distributed.teardown()


def resume(run_dir: str | Path, *, overrides: list[str] | tuple[str, ...] = ()) -> TrainResult:
    """Continue a run from its latest checkpoint, exactly as if it had never stopped.

    A run stopped before its first checkpoint starts again from step 0, as `train` would have started it.

    Overrides may change bookkeeping and the step budget (e.g. `train.steps=20000`); changing the data or the
    architecture is refused when the checkpoint is loaded.
    """
    run_dir = Path(run_dir)
    saved = read_config(run_dir)
    cfg = resolve(base=saved.model_dump(mode="json"), overrides=list(overrides))
    check_eval_config(cfg)
    world, device_name = distributed.setup(cfg.train.device)
    try:
        distributed.check_batch(cfg.train.batch_size, world)
        device = resolve_device(device_name)
        set_threads(cfg.train.threads)
        data = place(load_dataset(cfg.data), device)
        if _data_info(data) != saved.data_info:
            raise ConfigError(
                f"the data of {run_dir} has changed since training ({cfg.data.name}); restore it to resume"
            )
        if checkpoint.latest(run_dir / "checkpoints") is None:  # stopped before its first checkpoint
            state = _fresh_state(cfg, data, device, world)
        else:
            num_classes = data.num_classes if cfg.model.conditional else 0
            state = build_state(cfg, tuple(data.shape), num_classes, len(data), device=device, world=world)
            path = checkpoint.resolve(run_dir, "latest")
            payload = checkpoint.load(path, map_location=device)
            check_checkpoint_matches(payload, cfg, path)
            state.load_state_dict(payload)
        world.barrier()  # every rank has read the checkpoint before rank 0 may write the next one
        if world.is_main:
            write_config(run_dir, cfg)
        return Trainer(cfg, data, state, run_dir, device).fit()
    finally:
        distributed.teardown()
