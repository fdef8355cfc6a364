"""Everything that changes during training, in one object that round-trips through a checkpoint.

Keeping all mutable state (weights, optimiser moments, data order, every RNG) here is what makes
`--resume` exact: restoring this object restores the run.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from zerosum.config import RunConfig
from zerosum.errors import CheckpointError, ConfigError
from zerosum.models import build_models
from zerosum.training import schedules
from zerosum.training.distributed import SINGLE, Replicas, World, check_batch, convert_sync_bn, replicate
from zerosum.training.ema import make_ema
from zerosum.training.fastpaths import grad_scaler, resolve_fast_paths
from zerosum.training.sampler import IndexSampler, check_batch_fits

log = logging.getLogger("zerosum")

PREVIEW_POINTS = 2500


@dataclass
class TrainState:
    G: nn.Module
    D: nn.Module
    G_ema: nn.Module | None
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    sampler: IndexSampler
    noise: torch.Generator  # z and fake labels during training
    fixed_z: torch.Tensor  # the preview grid's noise, the same at every preview
    fixed_y: torch.Tensor | None
    scaler_d: torch.amp.GradScaler  # fp16 loss scaling; disabled (a pass-through) otherwise
    scaler_g: torch.amp.GradScaler
    replicas: Replicas  # what a step runs: DDP wrappers under torchrun, G and D otherwise (not saved)
    world: World = SINGLE
    step: int = 0
    lr_scale: float = 1.0  # product of the divergence recoveries' lr factors; saved, so a resume keeps it
    recoveries: int = 0  # divergence recoveries so far in this run (train.divergence.max_recoveries caps it)
    label_sampler: IndexSampler | None = None  # a semi-supervised run's labelled minibatches (data.labelled)
    D_ema: nn.Module | None = None  # a semi-supervised run's averaged D, the classifier it is tested with

    @property
    def sampling_G(self) -> nn.Module:
        """The generator to draw samples from: the EMA copy when training keeps one."""
        return self.G_ema if self.G_ema is not None else self.G

    def state_dict(self) -> dict[str, Any]:
        return {
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": self.G_ema.state_dict() if self.G_ema is not None else None,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "sampler": self.sampler.state_dict(),
            "rng": capture_rng(self.noise),
            "fixed_z": self.fixed_z,
            "fixed_y": self.fixed_y,
            "scaler_d": self.scaler_d.state_dict(),
            "scaler_g": self.scaler_g.state_dict(),
            "lr_scale": self.lr_scale,
            "recoveries": self.recoveries,
            **({"label_sampler": self.label_sampler.state_dict()} if self.label_sampler is not None else {}),
            **({"D_ema": self.D_ema.state_dict()} if self.D_ema is not None else {}),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        try:
            self.G.load_state_dict(state["G"])
            self.D.load_state_dict(state["D"])
            if self.G_ema is not None:
                self.G_ema.load_state_dict(state["G_ema"] if state.get("G_ema") is not None else state["G"])
            if self.D_ema is not None:
                self.D_ema.load_state_dict(state["D_ema"] if state.get("D_ema") is not None else state["D"])
            self.opt_g.load_state_dict(state["opt_g"])
            self.opt_d.load_state_dict(state["opt_d"])
            for name in ("scaler_d", "scaler_g"):
                if state.get(name):  # a disabled scaler saves {}; fp16 runs resume their loss scale
                    getattr(self, name).load_state_dict(state[name])
        except (RuntimeError, KeyError, ValueError) as err:
            first = str(err).strip().splitlines()[0][:200]
            raise CheckpointError(f"the checkpoint does not match this run's models/optimisers: {first}") from None
        self.sampler.load_state_dict(state["sampler"])
        if self.label_sampler is not None:
            if "label_sampler" not in state:
                raise CheckpointError("the checkpoint holds no labelled-batch sampler; it is not a semi-supervised run")
            self.label_sampler.load_state_dict(state["label_sampler"])
        restore_rng(state["rng"], self.noise)
        self.fixed_z = state["fixed_z"]
        self.fixed_y = state["fixed_y"]
        self.step = int(state["step"])
        self.lr_scale = float(state.get("lr_scale", 1.0))  # checkpoints from before divergence recovery lack them
        self.recoveries = int(state.get("recoveries", 0))


def capture_rng(noise: torch.Generator) -> dict[str, Any]:
    """Every RNG the loop can touch, in a form `torch.load(weights_only=True)` accepts."""
    np_state = np.random.get_state()
    rng = {
        "noise": noise.get_state(),
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        "python": list(random.getstate()),
    }
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    return rng


def restore_rng(rng: dict[str, Any], noise: torch.Generator) -> None:
    noise.set_state(rng["noise"])
    torch.set_rng_state(rng["torch"])
    name, keys, *rest = rng["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), *rest))
    version, internal, gauss = rng["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])


def build_state(
    cfg: RunConfig,
    data_shape: tuple[int, ...],
    num_classes: int,
    n_items: int,
    pixel_mean=None,
    device="cpu",
    world: World = SINGLE,
    point_stats=None,
    preview: torch.Tensor | None = None,
) -> TrainState:
    """Fresh models, optimisers and generators, all derived from `train.seed`; "auto" fast paths are resolved
    into `cfg.train` (and logged) first. A translator's previews translate `preview`, fixed inputs (its `fixed_z`)."""
    t = cfg.train
    check_batch(t.batch_size, world, cfg.model.pack)  # api checks the split over ranks; D's groups need this too
    check_batch_fits(t.batch_size, n_items)
    device = torch.device(device)
    choice = resolve_fast_paths(t, cfg.model, tuple(data_shape), device)
    torch.manual_seed(t.seed)
    np.random.seed(t.seed % 2**32)
    random.seed(t.seed)
    if cfg.model.translates and preview is None:
        raise ValueError("a translator's state needs the inputs its previews translate")
    input_shape = tuple(preview.shape[1:]) if preview is not None else None
    G, D = build_models(
        cfg.model,
        tuple(data_shape),
        num_classes,
        pixel_mean=pixel_mean,
        point_stats=point_stats,
        input_shape=input_shape,
    )
    if world.is_main:  # after the models: data they cannot model gives a one-line error, with no log line before it
        log.info(choice)
    if t.sync_bn and world.size > 1:
        G, D = convert_sync_bn(G), convert_sync_bn(D)
    G, D = G.to(device), D.to(device)
    if t.channels_last and len(data_shape) == 3:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    opt_g = schedules.make_optimizer(G.parameters(), t.lr_g, t)
    opt_d = schedules.make_optimizer(D.parameters(), t.lr_d, t)
    preview_noise = torch.Generator().manual_seed(t.seed + 2)
    n_preview = t.grid_size if len(data_shape) == 3 else PREVIEW_POINTS
    fixed_y = None
    if cfg.model.conditional:  # one row of the grid per class
        per_class = max(n_preview // num_classes, 1)
        fixed_y = torch.arange(num_classes).repeat_interleave(per_class)
        n_preview = len(fixed_y)
    fixed_z = preview.cpu() if cfg.model.translates else G.sample_z(n_preview, generator=preview_noise)
    G_ema = make_ema(G) if t.ema > 0 else None
    D_ema = make_ema(D) if t.d_ema > 0 else None
    if t.compile:  # in place, after the EMA copy: state_dict keys stay those of the plain modules
        G.compile()
        D.compile()
    return TrainState(
        G=G,
        D=D,
        G_ema=G_ema,
        opt_g=opt_g,
        opt_d=opt_d,
        sampler=IndexSampler(n_items, seed=t.seed + 1),
        noise=torch.Generator().manual_seed(t.seed + 3),
        fixed_z=fixed_z,
        fixed_y=fixed_y,
        scaler_d=grad_scaler(device, t.amp),
        scaler_g=grad_scaler(device, t.amp),
        replicas=replicate(G, D, world, device),
        world=world,
        label_sampler=_label_sampler(cfg, world),
        D_ema=D_ema,
    )


def _label_sampler(cfg: RunConfig, world: World) -> IndexSampler | None:
    """The semi-supervised GAN's second stream of minibatches, over its `data.labelled` images."""
    if cfg.model.arch != "ssgan":
        return None
    if world.size > 1:
        raise ConfigError("model.arch=ssgan trains in one process; run it without torchrun")
    return IndexSampler(cfg.data.labelled, seed=cfg.train.seed + 4)
