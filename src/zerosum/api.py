"""The public Python API; the CLI calls only these functions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from zerosum.config import DataInfo, RunConfig, resolve
from zerosum.data import load_dataset
from zerosum.data.dataset import place
from zerosum.data.sources import check_root
from zerosum.data.summary import data_summary
from zerosum.errors import ConfigError
from zerosum.evaluation import evaluate
from zerosum.lock import RunLockedError, run_lock
from zerosum.metrics import list_metrics
from zerosum.run import (
    check_checkpoint_matches,
    check_new_run_dir,
    create_run_dir,
    read_config,
    set_run_aside,
    write_config,
)
from zerosum.runtime import resolve_device, set_threads
from zerosum.training import checkpoint, distributed
from zerosum.training.evaluator import check_eval_config
from zerosum.training.state import build_state
from zerosum.training.trainer import Trainer, TrainResult

__all__ = ["evaluate", "list_metrics", "make_config", "resume", "train"]  # evaluate: see zerosum.evaluation
log = logging.getLogger(__name__)


def make_config(
    preset: str | None = None, overrides: list[str] | tuple[str, ...] = (), data_root: str | None = None
) -> RunConfig:
    """A validated config from a preset and `key=value` overrides."""
    cfg = resolve(preset, list(overrides))
    if data_root is not None:
        check_root(data_root)
        cfg.data.root = str(data_root)
    return cfg


def _data_info(data) -> DataInfo:
    info = DataInfo(kind=data.kind, shape=list(data.shape), num_classes=data.num_classes, classes=list(data.classes))
    if data.kind == "pairs":
        info.input_shape, info.mask_classes = list(data.input_shape), list(data.mask_classes)
    return info


def _load_training_data(cfg: RunConfig, device):
    """The training set, or for a translator its training pairs, placed on the device where it fits."""
    if cfg.data.pairs is not None:
        from zerosum.translation.pairs import load_pairs

        return place(load_pairs(cfg.data, "train"), device)
    data = load_dataset(cfg.data)
    if cfg.model.conditional:  # a conditional GAN learns from labelled images only (data.labelled's few, or all)
        data = data.labelled_only()
    return place(data, device)


def _preview(cfg: RunConfig, data):
    """A translator's fixed preview inputs (None for the noise families, whose previews draw fixed noise)."""
    if not cfg.model.translates:
        return None
    from zerosum.translation.picture import preview_pairs

    return preview_pairs(data, (-1.0, 1.0))[0]


def _fit_batch(cfg: RunConfig, n: int, world: distributed.World) -> None:
    """`train.fit_batch`: lower the batch to the dataset's size (a multiple of the ranks), recorded in the run's
    config so a resume uses the same batches."""
    t = cfg.train
    if not t.fit_batch or n >= t.batch_size:
        return
    unit = world.size * cfg.model.pack  # every rank gets whole packs
    fitted = max(n // unit * unit, unit)
    if world.is_main:
        log.info("the data holds %d items: train.batch_size lowered from %d to %d", n, t.batch_size, fitted)
    t.batch_size = fitted


def fresh_state(cfg: RunConfig, data, device, world):
    """Step 0 of a run: models initialised from the seed (G's output bias from the data's mean)."""
    pixel_mean = data.pixel_mean() if data.kind == "image" else None
    stats = (data.points.mean(0), data.points.std(0)) if data.kind == "points" else None
    num_classes = data.num_classes if cfg.model.needs_classes else 0
    return build_state(
        cfg, tuple(data.shape), num_classes, len(data), pixel_mean, device, world, stats, _preview(cfg, data)
    )


@contextmanager
def _run_lock(run_dir: Path, world: distributed.World) -> Iterator[None]:
    """Rank 0 holds the run's lock (zerosum.lock); every rank learns whether it got it, so none waits on a rank
    that gave up."""
    with ExitStack() as stack:
        error: RunLockedError | None = None
        if world.is_main:
            try:
                stack.enter_context(run_lock(run_dir))
            except RunLockedError as err:
                error = err
        if world.any(error is not None):
            raise error or RunLockedError(f"{run_dir} is being trained by another process (rank 0 could not lock it)")
        yield


def train(
    preset: str | None = None,
    *,
    overrides: list[str] | tuple[str, ...] = (),
    out: str | Path | None = None,
    config: RunConfig | None = None,
    data_root: str | None = None,
    overwrite: bool = False,
    aside: bool = False,
) -> TrainResult:
    """Train a new run. Everything a user can get wrong is checked before the run directory is created.

    An existing run at `out` is refused, replaced (`overwrite`), or moved to OUT.1, OUT.2, … (`aside`) with all
    that was added to it (evaluations, explorations).

    The run directory is locked (zerosum.lock) from its creation until training returns: a second trainer of the
    same folder is refused with the first one's PID.
    """
    if overwrite and aside:
        raise ConfigError("--overwrite deletes the run at --out and --aside keeps it; choose one")
    cfg = config.model_copy(deep=True) if config is not None else make_config(preset, overrides, data_root)
    check_eval_config(cfg)  # names and dataset, before the data is loaded
    out = Path(out) if out is not None else Path("runs") / (cfg.preset or "run")
    world, device_name = distributed.setup(cfg.train.device)
    try:
        check_new_run_dir(out, overwrite, aside)
        distributed.check_batch(cfg.train.batch_size, world)
        device = resolve_device(device_name)
        set_threads(cfg.train.threads)
        data = _load_training_data(cfg, device)
        if world.is_main:
            log.info("data: %s", data_summary(data))
        _fit_batch(cfg, len(data), world)
        cfg.data_info = _data_info(data)
        check_eval_config(cfg)  # again, now that the samples' shape is known
        if cfg.model.translates:
            from zerosum.translation.objective import check_objective

            check_objective(cfg)
        if cfg.model.conditional and data.num_classes < 2:
            name = cfg.data.name
            raise ConfigError(f"model.conditional needs class labels but {name} has none; set model.conditional=false")
        state = fresh_state(cfg, data, device, world)
        world.barrier()  # every rank has checked the folder before rank 0 creates it
        with _run_lock(out, world):
            if world.is_main:
                check_new_run_dir(out, overwrite, aside)  # again, under the lock: another trainer may have started it
                moved = set_run_aside(out) if aside else None
                if moved is not None:
                    log.info("moved the previous run at %s aside to %s", out, moved)
            run_dir = create_run_dir(out, cfg, overwrite) if world.is_main else out
            return Trainer(cfg, data, state, run_dir, device).fit()
    finally:
        distributed.teardown()


def _check_steps(cfg: RunConfig, step: int, path: Path) -> None:
    """A run cannot be shortened below what its checkpoint has done: the config would no longer describe it."""
    if cfg.train.steps < step:
        raise ConfigError(
            f"train.steps={cfg.train.steps} is below step {step} of {path.name}: a resumed run cannot be shortened; "
            f"set train.steps to {step} or more, or resume from an older checkpoint with --checkpoint"
        )


def resume(
    run_dir: str | Path, *, overrides: list[str] | tuple[str, ...] = (), checkpoint_path: str | Path | None = None
) -> TrainResult:
    """Continue a run from its newest readable checkpoint (or `checkpoint_path`), exactly as if it had never stopped.

    A run stopped before its first checkpoint starts again from step 0, as `train` would have started it. A damaged
    newest checkpoint is skipped with a warning and renamed `*.damaged`; resuming from an older checkpoint than the
    newest sets the newer ones aside (`*.superseded`), so `latest` never points past the resumed trajectory.

    Overrides may change bookkeeping and raise the step budget (e.g. `train.steps=20000`); lowering it below the
    checkpoint's step, or changing the data or the architecture, is refused.
    """
    run_dir = Path(run_dir)
    saved = read_config(run_dir)
    cfg = resolve(base=saved.model_dump(mode="json"), overrides=list(overrides))
    check_eval_config(cfg)
    folder = run_dir / "checkpoints"
    world, device_name = distributed.setup(cfg.train.device)
    try:
        with _run_lock(run_dir, world):
            distributed.check_batch(cfg.train.batch_size, world)
            device = resolve_device(device_name)
            if checkpoint_path is not None:
                path = checkpoint.resolve(run_dir, checkpoint_path)
                loaded = checkpoint.Loaded(path, checkpoint.load(path, map_location=device), [])
            else:
                loaded = checkpoint.load_newest_readable(folder, map_location=device)
            if loaded is not None:
                check_checkpoint_matches(loaded.state, cfg, loaded.path)
                _check_steps(cfg, int(loaded.state["step"]), loaded.path)
            if world.is_main:
                _announce(run_dir, loaded)
            set_threads(cfg.train.threads)
            data = _load_training_data(cfg, device)
            if world.is_main:
                log.info("data: %s", data_summary(data))
            if _data_info(data) != saved.data_info:
                raise ConfigError(
                    f"the data of {run_dir} has changed since training ({cfg.data.name}); restore it to resume"
                )
            if loaded is None:  # stopped before its first checkpoint
                state = fresh_state(cfg, data, device, world)
            else:
                num_classes = data.num_classes if cfg.model.needs_classes else 0
                state = build_state(
                    cfg, tuple(data.shape), num_classes, len(data), device=device, world=world,
                    preview=_preview(cfg, data),
                )  # fmt: skip
                state.load_state_dict(loaded.state)
            world.barrier()  # every rank has read the checkpoint before rank 0 may write the next one
            if world.is_main:
                _set_aside(loaded, folder)
                write_config(run_dir, cfg)
            return Trainer(cfg, data, state, run_dir, device).fit()
    finally:
        distributed.teardown()


def _announce(run_dir: Path, loaded: checkpoint.Loaded | None) -> None:
    """Say where training resumes from, and which damaged checkpoints it skipped."""
    if loaded is None:
        log.info("resuming %s from step 0 (it stopped before its first checkpoint)", run_dir)
        return
    if loaded.warning():
        log.warning("%s", loaded.warning())
    log.info("resuming %s from step %d (checkpoint %s)", run_dir, loaded.state["step"], loaded.path)


def _set_aside(loaded: checkpoint.Loaded | None, folder: Path) -> None:
    """Rename the checkpoints that no longer describe the run, so neither `latest` nor pruning picks them."""
    if loaded is None:
        return
    newer = [p for p in checkpoint.step_files(folder) if checkpoint.file_step(p) > int(loaded.state["step"])]
    damaged = checkpoint.set_aside([p for p, _ in loaded.skipped if p != loaded.path], "damaged")
    superseded = checkpoint.set_aside([p for p in newer if p.is_file()], "superseded")
    for why, moved in (("damaged", damaged), ("newer than the resumed step", superseded)):
        if moved:
            log.warning("set aside %s checkpoints: %s", why, ", ".join(p.name for p in moved))
