"""Several processes, one run: `torchrun --nproc_per_node N -m zerosum train ...`.

Every rank draws the same *global* batch of indices and noise from the shared, checkpointed generators and keeps
its own slice of it, so the run's state does not depend on the number of processes: a checkpoint resumes with
any world size, and N ranks with batch B/N each compute what one process computes with batch B. Gradients are
averaged by DistributedDataParallel (gloo on the CPU, NCCL on GPUs); BatchNorm normalises each rank's shard
unless `train.sync_bn` asks for statistics over the global batch. Only rank 0 writes anything.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

from zerosum.errors import ConfigError

TIMEOUT = datetime.timedelta(hours=3)  # rank 0 may evaluate (a 10k FID) while the others wait


@dataclass(frozen=True)
class World:
    """This process's place among the ranks; World() is a single process."""

    rank: int = 0
    size: int = 1
    device: str = "cpu"  # where small collective tensors live: NCCL reduces GPU tensors only

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self, batch: Tensor | None) -> Tensor | None:
        """This rank's contiguous slice of a global batch."""
        if batch is None or self.size == 1:
            return batch
        n = len(batch) // self.size
        return batch[self.rank * n : (self.rank + 1) * n]

    def mean(self, values: Tensor) -> Tensor:
        """The average of `values` over the ranks (each rank holds an equal shard, so this is the global mean)."""
        if self.size > 1:
            values = values.to(self.device, copy=True)
            dist.all_reduce(values)
            values /= self.size
        return values

    def any(self, flag: bool) -> bool:
        """True on every rank when it is true on one: ranks must agree to stop at the same step."""
        if self.size == 1:
            return flag
        t = torch.tensor([float(flag)], device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def barrier(self) -> None:
        if self.size > 1:
            dist.barrier()


SINGLE = World()


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def setup(device_name: str) -> tuple[World, str]:
    """Join the process group torchrun describes (if any); returns the world and the device this rank uses."""
    if not launched_by_torchrun():
        return World(), device_name
    rank, size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    cuda = device_name != "cpu" and torch.cuda.is_available()
    if cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device_name = f"cuda:{local}"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo", timeout=TIMEOUT)
        _owned.append(True)
    return World(rank, size, device_name if cuda else "cpu"), device_name


_owned: list[bool] = []  # a process group this module created (a caller's own group is left alone)


def teardown() -> None:
    if _owned and dist.is_initialized():
        dist.destroy_process_group()
        _owned.clear()


def check_batch(batch_size: int, world: World, pack: int = 1) -> None:
    """The global batch must split evenly over the ranks, and each rank's shard into D's groups of `pack`."""
    if batch_size % world.size:
        raise ConfigError(
            f"train.batch_size={batch_size} (the global batch) does not split evenly over {world.size} processes; "
            f"use a multiple of {world.size}"
        )
    shard = batch_size // world.size
    if shard % pack == 0:
        return
    if world.size == 1:
        raise ConfigError(
            f"train.batch_size={batch_size} is not a multiple of model.pack={pack} (D judges groups of {pack}); "
            f"use a multiple of {pack}"
        )
    raise ConfigError(
        f"train.batch_size={batch_size} gives each of {world.size} processes {shard} samples, not a multiple of "
        f"model.pack={pack}; use a multiple of {world.size * pack}"
    )


class GlobalBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm2d whose training statistics span every rank's shard (gloo and NCCL alike; torch's SyncBatchNorm
    runs on GPUs only). The all-reduces are differentiable, so gradients see the global statistics too."""

    def forward(self, x: Tensor) -> Tensor:
        if not (self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(x)
        from torch.distributed.nn.functional import all_reduce

        xf = x.float()
        count = torch.tensor([xf.numel() / xf.shape[1]], device=x.device)
        sums = all_reduce(torch.cat([xf.sum((0, 2, 3)), count]))
        n = sums[-1]
        mean = sums[:-1] / n
        centred = xf - mean[None, :, None, None]
        var = all_reduce(centred.square().sum((0, 2, 3))) / n  # two passes: as accurate as BatchNorm2d's own
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked += 1
                m = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                self.running_mean.lerp_(mean.detach(), m)
                self.running_var.lerp_((var * n / (n - 1)).detach(), m)
        y = centred * torch.rsqrt(var + self.eps)[None, :, None, None]
        if self.affine:
            y = y * self.weight[None, :, None, None] + self.bias[None, :, None, None]
        return y.to(x.dtype)


def convert_sync_bn(module: nn.Module) -> nn.Module:
    """Swap every BatchNorm2d for GlobalBatchNorm2d in place; parameters, buffers and state_dict keys are kept."""
    for m in module.modules():
        if type(m) is nn.BatchNorm2d:
            m.__class__ = GlobalBatchNorm2d
    return module


class _PairForward(nn.Module):
    """D applied to the real and the fake batch in one call, so DistributedDataParallel sees one forward per
    backward (the two batches keep separate BatchNorm statistics, as in a single process)."""

    def __init__(self, D: nn.Module) -> None:
        super().__init__()
        self.D = D

    def forward(self, real: Tensor, y_real, fake: Tensor, y_fake, classes: bool = False) -> tuple[Any, Any]:
        """(real logits, fake logits); with `classes`, each is a (logits, auxiliary class logits) pair."""
        judge = self.D.forward_with_classes if classes else self.D
        return judge(real, y_real), judge(fake, y_fake)


@dataclass
class Replicas:
    """The modules a step runs: DDP wrappers under torchrun, the bare models otherwise."""

    G: nn.Module
    D_pair: nn.Module


def match_grad_layout(module: nn.Module) -> None:
    """Give each parameter's gradient exactly the parameter's strides, as DDP's gradient buckets expect.

    A weight with a size-1 dimension (a conv on 1-channel images: N×1×4×4) has two valid stride sets for one
    memory order; channels_last picks one, and some backward passes (the R1 penalty's double backward) return
    the other. Autograd accepts either, but DDP compares strides exactly and warns on every rank. The copy moves
    no value, so training computes what it computed before; only such weights get the hook.
    """
    for p in module.parameters():
        if p.dim() < 2 or 1 not in p.shape:
            continue
        shape, stride = tuple(p.shape), p.stride()

        def restride(grad: Tensor, shape: tuple[int, ...] = shape, stride: tuple[int, ...] = stride) -> Tensor | None:
            if grad.stride() == stride or tuple(grad.shape) != shape:
                return None  # already in the parameter's layout: kept as it is
            return torch.empty_strided(shape, stride, dtype=grad.dtype, device=grad.device).copy_(grad)

        p.register_hook(restride)


def replicate(G: nn.Module, D: nn.Module, world: World, device: torch.device) -> Replicas:
    if world.size == 1:
        return Replicas(G, _PairForward(D))
    from torch.nn.parallel import DistributedDataParallel as DDP

    match_grad_layout(G)
    match_grad_layout(D)
    ids = [device.index] if device.type == "cuda" else None
    return Replicas(DDP(G, device_ids=ids), DDP(_PairForward(D), device_ids=ids))
