"""torchrun with 2 gloo processes on the CPU computes what one process computes with the same global batch, and
its checkpoints resume with any number of processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum.training import checkpoint
from zerosum.training.distributed import World, check_batch
from zerosum.training.sampler import IndexSampler

# BatchNorm over the global batch (train.sync_bn), conditional, EMA, lazy R1 on step 0 and 3, two D-steps,
# instance noise: every piece of state a rank could get out of step.
COMMON = [
    *TINY_DCGAN,
    "train.batch_size=32",
    "train.sync_bn=true",
    "model.conditional=true",
    "train.ema=0.9",
    "train.r1_gamma=1.0",
    "train.r1_every=3",
    "train.d_steps=2",
    "train.instance_noise=0.2",
    "train.instance_noise_steps=8",  # not train.steps, which the resumed runs change
    "train.ckpt_every=3",
    "train.threads=1",
    "train.amp=off",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(*args: str) -> str:
    """Run `zerosum train ARGS` in 2 processes; returns what they printed (stdout, then stderr)."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}"]
    cmd += ["--master_addr=127.0.0.1", "-m", "zerosum", "train", *args]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _sets(overrides: list[str]) -> list[str]:
    return [a for o in overrides for a in ("--set", o)]


def _assert_close(run_a, run_b) -> None:
    a, b = (checkpoint.load(checkpoint.resolve(r)) for r in (run_a, run_b))
    assert a["step"] == b["step"]
    for key in ("G", "D", "G_ema"):
        if a[key] is None:
            continue
        for name, tensor in a[key].items():
            if tensor.is_floating_point():
                torch.testing.assert_close(tensor, b[key][name], rtol=1e-4, atol=1e-5, msg=f"{key}.{name}")
            else:
                assert torch.equal(tensor, b[key][name]), f"{key}.{name}"
    assert a["sampler"]["batches"] == b["sampler"]["batches"]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp") / "single"
    zerosum.train("dcgan-mnist", overrides=[*COMMON, "train.steps=6"], out=out)
    return out


def test_two_processes_equal_one_with_the_same_global_batch(single, tmp_path):
    _torchrun("--preset", "dcgan-mnist", *_sets([*COMMON, "train.steps=6"]), "--out", str(tmp_path / "ddp"))
    assert sorted(p.name for p in (tmp_path / "ddp").iterdir()) == sorted(p.name for p in single.iterdir())
    _assert_close(single, tmp_path / "ddp")


@pytest.mark.parametrize(
    ("preset", "extra"),
    [("gan-mnist", []), ("gan-mnist", ["train.loss=minimax"]), ("gan-mnist-alternating", [])],
    ids=["simultaneous-two-gradients", "simultaneous-reversal", "alternating"],
)
def test_without_batchnorm_two_processes_equal_one_by_default(tmp_path, preset, extra):
    # The paper's MLP GAN with SGD and momentum, dropout off (masks are each rank's own draw): nothing to sync but
    # the gradients, which DistributedDataParallel averages, in each update order and way of taking G's gradient.
    mlp = [
        *extra,
        "data.limit=300",
        "model.g_hidden=[32]",
        "model.d_hidden=[16,16]",
        "model.nz=8",
        "model.d_drop_input=0",
        "model.d_drop_hidden=0",
        "train.batch_size=20",
        "train.steps=4",
        "train.tensorboard=false",
        "train.progress=false",
        "train.threads=1",
    ]
    zerosum.train(preset, overrides=mlp, out=tmp_path / "single")
    _torchrun("--preset", preset, *_sets(mlp), "--out", str(tmp_path / "ddp"))
    _assert_close(tmp_path / "single", tmp_path / "ddp")


def test_a_checkpoint_resumes_with_another_number_of_processes(single, tmp_path):
    # 2 processes, then 1
    _torchrun("--preset", "dcgan-mnist", *_sets([*COMMON, "train.steps=3"]), "--out", str(tmp_path / "two_one"))
    zerosum.resume(tmp_path / "two_one", overrides=["train.steps=6"])
    _assert_close(single, tmp_path / "two_one")
    # 1 process, then 2
    zerosum.train("dcgan-mnist", overrides=[*COMMON, "train.steps=3"], out=tmp_path / "one_two")
    _torchrun("--resume", str(tmp_path / "one_two"), "--set", "train.steps=6")
    _assert_close(single, tmp_path / "one_two")


def test_channels_last_grads_match_the_gradient_buckets(tmp_path):
    # The demo's recipe: channels_last with 1-channel images, so D's first conv weight is N×1×4×4, whose strides
    # channels_last leaves ambiguous; the R1 penalty's double backward returns its gradient in the other layout.
    demo = [*TINY_DCGAN, "data.size=28", "train.steps=2", "train.threads=1", "train.channels_last=true"]
    printed = _torchrun("--preset", "demo", *_sets(demo), "--out", str(tmp_path / "ddp"))
    assert "finished: 2 steps" in printed
    assert "Grad strides do not match bucket view strides" not in printed


def test_each_rank_takes_its_own_slice_of_the_global_batch():
    batch = IndexSampler(100, seed=0).next(8)
    parts = [World(rank, 4).shard(batch) for rank in range(4)]
    assert torch.equal(torch.cat(parts), batch)
    with pytest.raises(zerosum.ConfigError, match="multiple of 3"):
        check_batch(32, World(0, 3))
