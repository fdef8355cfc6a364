import json

import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum.config import load_config_file


def test_run_directory_contract(tmp_path):
    out = tmp_path / "run"
    result = zerosum.train(
        "dcgan-mnist",
        overrides=[*TINY_DCGAN, "train.steps=4", "train.sample_every=2", "train.tensorboard=true"],
        out=out,
    )
    assert result.status == "finished" and result.step == 4
    for name in ("config.yaml", "metrics.jsonl", "samples.png", "loss.png", "checkpoints/latest.json"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["step_00000002.png", "step_00000004.png"]
    assert any((out / "tb").iterdir())
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4]
    for key in ("loss_d", "loss_g", "d_real", "d_fake", "lr_d", "lr_g", "img_per_s", "epoch"):
        assert key in rows[0]
    cfg = load_config_file(out / "config.yaml")
    assert cfg.data_info.shape == [1, 16, 16] and cfg.train.steps == 4


def test_load_run_gives_models_with_the_trained_weights(tmp_path):
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=3"], out=tmp_path / "r")
    run = zerosum.load_run(tmp_path / "r")
    assert run.step == 3 and not run.G.training
    samples = zerosum.sample(run, 10, seed=1)
    assert samples.images.shape == (10, 1, 16, 16)
    assert torch.equal(samples.images, zerosum.sample(run, 10, seed=1).images)
    assert samples.images.min() >= -1 and samples.images.max() <= 1


def test_same_seed_same_run(tmp_path):
    for name in ("a", "b"):
        zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=3", "train.seed=5"], out=tmp_path / name)
    a, b = zerosum.load_run(tmp_path / "a"), zerosum.load_run(tmp_path / "b")
    assert all(torch.equal(x, y) for x, y in zip(a.G.state_dict().values(), b.G.state_dict().values(), strict=True))


def test_existing_run_dir_is_not_overwritten_silently(tmp_path):
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=1"], out=tmp_path / "r")
    with pytest.raises(zerosum.ConfigError, match="--resume"):
        zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=1"], out=tmp_path / "r")
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=2"], out=tmp_path / "r", overwrite=True)
    assert zerosum.load_run(tmp_path / "r").step == 2


def test_bad_input_leaves_no_run_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("ZEROSUM_DATA", raising=False)
    monkeypatch.setenv("ZEROSUM_OFFLINE", "1")
    out = tmp_path / "never"
    with pytest.raises(zerosum.ConfigError):
        zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "model.ngf=0"], out=out)
    with pytest.raises(zerosum.ZerosumError):
        zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "data.size=20"], out=out)
    with pytest.raises(zerosum.DataError):
        zerosum.train(
            "dcgan-mnist", overrides=[*TINY_DCGAN, f"data.root={tmp_path / 'nothing'}", "data.name=cifar10"], out=out
        )
    assert not out.exists()


@pytest.mark.parametrize("preset", ["toy-1d", "ring-8"])
def test_point_presets_train_and_draw(tmp_path, preset):
    out = tmp_path / preset
    zerosum.train(preset, overrides=["train.steps=20", "train.tensorboard=false", "train.progress=false"], out=out)
    assert (out / "samples.png").stat().st_size > 1000
    run = zerosum.load_run(out)
    assert zerosum.sample(run, 100).images.shape[0] == 100


def test_gan_mnist_preset_runs(tmp_path):
    out = tmp_path / "gan"
    zerosum.train("gan-mnist", overrides=["train.steps=3", "data.limit=500", "train.progress=false"], out=out)
    run = zerosum.load_run(out)
    x = zerosum.sample(run, 4).images
    assert x.shape == (4, 1, 28, 28) and x.min() >= 0 and x.max() <= 1


@pytest.mark.parametrize("preset", ["dcgan-cifar10", "dcgan-fashion", "dcgan-faces"])
def test_real_data_presets_train_and_sample(tmp_path, data_root, preset):
    out = tmp_path / preset
    small = [
        "data.limit=128",
        "model.ngf=8",
        "model.ndf=8",
        "train.batch_size=16",
        "train.steps=2",
        "train.progress=false",
        "train.tensorboard=false",
    ]
    zerosum.train(preset, overrides=small, out=out, data_root=None)
    run = zerosum.load_run(out)
    cfg = run.config
    images = zerosum.sample(run, 4).images
    assert images.shape == (4, cfg.data.channels, cfg.data.size, cfg.data.size)
