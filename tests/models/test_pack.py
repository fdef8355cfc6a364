"""PacGAN packing (`model.pack`) and DCGAN without BatchNorm (`model.batch_norm=false`)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum import make_config
from zerosum.config import parse_model
from zerosum.data import load_dataset
from zerosum.errors import ConfigError
from zerosum.losses import get_loss
from zerosum.models import build_models
from zerosum.plots import plot_1d_discriminator
from zerosum.training.distributed import World, check_batch
from zerosum.training.state import build_state
from zerosum.training.step import train_step

MLP = {"arch": "mlp", "nz": 4, "g_hidden": [8], "d_hidden": [8, 8], "maxout_pieces": 2}
DCGAN = {"arch": "dcgan", "nz": 4, "ngf": 4, "ndf": 4}
CASES = [  # (model fields, sample shape)
    (MLP, (2,)),
    (MLP, (1, 28, 28)),
    (DCGAN, (1, 28, 28)),
    (DCGAN, (3, 32, 32)),
]


def _d(fields: dict, shape: tuple[int, ...], pack: int, **kw) -> nn.Module:
    _, d = build_models(parse_model({**fields, "pack": pack, **kw}), shape)
    return d.eval()  # eval: neither dropout nor BatchNorm batch statistics mix samples across groups


def _first_layer_width(d: nn.Module) -> int:
    first = next(m for m in d.blocks.modules() if isinstance(m, (nn.Linear, nn.Conv2d)))
    return first.in_features if isinstance(first, nn.Linear) else first.in_channels


@pytest.mark.parametrize(("fields", "shape"), CASES)
@pytest.mark.parametrize("pack", [2, 4])
def test_packed_d_gives_one_logit_and_one_feature_row_per_group(fields, shape, pack):
    d = _d(fields, shape, pack)
    unpacked = _first_layer_width(_d(fields, shape, 1))
    assert d.pack == pack and _first_layer_width(d) == unpacked * pack
    if fields["arch"] == "mlp":
        assert _first_layer_width(d) == math.prod(shape) * pack
    else:
        assert _first_layer_width(d) == shape[0] * pack
    x = torch.randn(8, *shape)
    assert d(x).shape == (8 // pack,)
    assert all(f.shape[0] == 8 // pack for f in d.features(x))


@pytest.mark.parametrize(("fields", "shape"), CASES)
def test_a_group_logit_depends_on_all_its_members_and_on_no_other_group(fields, shape):
    torch.manual_seed(0)
    wide = {"d_init_range": 0.5} if fields["arch"] == "mlp" else {}  # the MLP's 0.005 hides a member below noise
    d = _d(fields, shape, 4, **wide)
    x = torch.randn(12, *shape)
    with torch.no_grad():
        base = d(x)
        for i in range(12):
            x2 = x.clone()
            x2[i] += 1.0
            moved = (d(x2) - base).abs() > 1e-7
            assert moved.tolist() == [g == i // 4 for g in range(3)], f"sample {i}"
        # a group's logit is the same whether the group is judged alone or among others
        assert torch.allclose(d(x[4:8]), base[1:2], atol=1e-6)


def test_packing_concatenates_consecutive_members():
    x = torch.randn(4, 3)
    assert torch.equal(_d(MLP, (3,), 2)._pack(x), torch.cat([x[0::2], x[1::2]], dim=1))
    images = torch.randn(4, 2, 32, 32)
    stacked = torch.cat([images[0::2], images[1::2]], dim=1)  # member 0's C channels, then member 1's
    d = _d(DCGAN, (2, 32, 32), 2)
    assert torch.equal(d._pack(images), stacked)
    nhwc = d._pack(images.contiguous(memory_format=torch.channels_last))
    assert torch.equal(nhwc, stacked) and nhwc.is_contiguous(memory_format=torch.channels_last)


def test_indivisible_batches_and_conditional_packing_are_config_errors():
    d = _d(MLP, (2,), 4)
    with pytest.raises(ConfigError, match=r"6 samples, not a multiple of model\.pack=4"):
        d(torch.randn(6, 2))
    with pytest.raises(ConfigError, match=r"model\.pack"):
        d.features(torch.randn(3, 2))
    for fields in (MLP, DCGAN):
        with pytest.raises(ConfigError, match=r"model\.pack.*conditional") as err:
            build_models(parse_model({**fields, "pack": 2, "conditional": True}), (1, 28, 28), num_classes=10)
        assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match=r"batch_size=30 is not a multiple of model\.pack=4"):
        check_batch(30, World(), pack=4)
    with pytest.raises(ConfigError, match=r"2 processes 15 samples.*multiple of 8"):
        check_batch(30, World(0, 2), pack=4)
    check_batch(32, World(0, 2), pack=4)  # 16 per rank: fine


def test_training_refuses_an_indivisible_batch_before_creating_the_run(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ConfigError, match=r"model\.pack=3"):
        zerosum.train("ring-8", overrides=["model.pack=3", "train.batch_size=64"], out=out)
    assert not out.exists()


@pytest.mark.parametrize("size", [28, 32])
def test_dcgan_without_batch_norm_has_none_and_trains(size):
    g, d = build_models(parse_model({**DCGAN, "batch_norm": False}), (1, size, size))
    g_bn, d_bn = build_models(parse_model(DCGAN), (1, size, size))
    for net, ref in ((g, g_bn), (d, d_bn)):
        assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in net.modules())
        assert any(isinstance(m, nn.BatchNorm2d) for m in ref.modules())
        convs = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        ref_convs = [m for m in ref.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        assert [c.weight.shape for c in convs] == [c.weight.shape for c in ref_convs]  # the same layer plan
        assert all(c.bias is not None for c in convs)  # a bias where the BatchNorm was
    # fp32: under bf16 autocast a fresh D's logits round to exactly 0, so the head bias's gradient cancels to 0
    cfg = make_config(
        "dcgan-mnist", [*TINY_DCGAN, "model.batch_norm=false", "train.batch_size=8", "data.limit=64", "train.amp=off"]
    )
    data = load_dataset(cfg.data)
    state = build_state(cfg, tuple(data.shape), 0, len(data))
    before = [p.detach().clone() for p in state.D.parameters()]
    loss = get_loss(cfg.train.loss)
    for _ in range(2):
        numbers = train_step(state, data, loss, cfg.train, torch.device("cpu"), (-1.0, 1.0), 0)
    assert all(np.isfinite(v) for v in numbers.values())
    assert all(not torch.equal(a, b) for a, b in zip(before, state.D.parameters(), strict=True))


def test_packed_dcgan_step_with_r1_runs():
    overrides = [*TINY_DCGAN, "model.pack=2", "train.r1_gamma=1", "train.r1_every=1", "train.batch_size=8"]
    cfg = make_config("dcgan-mnist", [*overrides, "data.limit=64"])
    data = load_dataset(cfg.data)
    state = build_state(cfg, tuple(data.shape), 0, len(data))
    numbers = train_step(state, data, get_loss(cfg.train.loss), cfg.train, torch.device("cpu"), (-1.0, 1.0), 0)
    assert all(np.isfinite(v) for v in numbers.values()) and 0 < numbers["d_real"] < 1


def test_1d_discriminator_plot_feeds_groups_of_copies(tmp_path):
    seen = []

    def d_of_x(xs: np.ndarray) -> np.ndarray:
        seen.append(xs)
        return np.full(len(xs) // 4, 0.5)

    path = tmp_path / "d.png"
    plot_1d_discriminator(np.zeros((10, 1)), np.ones((10, 1)), d_of_x, path, pack=4)
    assert path.stat().st_size > 0 and len(seen) == 1
    assert np.array_equal(seen[0][0::4], seen[0][3::4]) and len(np.unique(seen[0])) == len(seen[0]) // 4


def test_packed_ring8_run_trains_loads_and_evaluates(tmp_path):
    overrides = [
        "model.pack=4",
        "train.steps=20",
        "train.sample_every=20",
        "train.ckpt_every=20",
        "train.progress=false",
        "train.tensorboard=false",
    ]
    zerosum.train("ring-8", overrides=overrides, out=tmp_path / "run")
    run = zerosum.load_run(tmp_path / "run")
    assert run.step == 20 and run.D.pack == 4
    assert run.D(torch.randn(8, 2)).shape == (2,)
    record = zerosum.evaluate(tmp_path / "run", "modes_ring8", device="cpu")["modes_ring8"]
    assert record["step"] == 20 and 0 <= record["value"] <= 8 and record["details"]["n_samples"] == 2500
