"""`train.amp` and `train.channels_last` on "auto" become this machine's choice, recorded in the run's config."""

from __future__ import annotations

import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum.config import resolve
from zerosum.run import read_config
from zerosum.training import checkpoint, fastpaths
from zerosum.training.fastpaths import grad_scaler, resolve_fast_paths


@pytest.mark.parametrize("bf16", [True, False])
def test_auto_on_the_cpu_follows_the_hardware_and_the_model(monkeypatch, bf16):
    monkeypatch.setattr(fastpaths, "cpu_has_bf16", lambda: bf16)
    conv = resolve("dcgan-mnist")
    line = resolve_fast_paths(conv.train, conv.model, (1, 28, 28), torch.device("cpu"))
    assert (conv.train.amp, conv.train.channels_last) == ("bf16" if bf16 else "off", True)
    assert f"amp={conv.train.amp}" in line and "channels_last=on" in line
    mlp = resolve("gan-mnist")
    resolve_fast_paths(mlp.train, mlp.model, (784,), torch.device("cpu"))
    assert (mlp.train.amp, mlp.train.channels_last) == ("off", False)


def test_explicit_settings_are_kept_and_reported_as_such(monkeypatch):
    monkeypatch.setattr(fastpaths, "cpu_has_bf16", lambda: True)
    cfg = resolve("dcgan-mnist", ["train.amp=off", "train.channels_last=false"])
    line = resolve_fast_paths(cfg.train, cfg.model, (1, 28, 28), torch.device("cpu"))
    assert (cfg.train.amp, cfg.train.channels_last) == ("off", False)
    assert "amp=off (set in the config)" in line


def test_the_run_records_concrete_choices_so_resume_keeps_them(tmp_path):
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=1"], out=tmp_path / "run")
    saved = read_config(tmp_path / "run").train
    assert saved.amp in ("off", "bf16") and isinstance(saved.channels_last, bool)


def test_only_fp16_scales_the_loss():
    assert grad_scaler(torch.device("cpu"), "fp16").is_enabled()
    for amp in ("off", "bf16"):
        scaler = grad_scaler(torch.device("cpu"), amp)
        loss = torch.tensor(2.0)
        assert not scaler.is_enabled() and scaler.scale(loss) is loss


def test_compiled_models_train_and_save_plain_weights(tmp_path):
    # SGD: Adam's first steps are ±lr wherever a gradient is near 0, so rounding differences would flip them
    common = ["train.steps=2", "train.optimizer=sgd", "train.tensorboard=false", "train.progress=false"]
    for name, extra in (("plain", []), ("compiled", ["train.compile=true"])):
        zerosum.train("ring-8", overrides=[*common, *extra], out=tmp_path / name)
    plain, compiled = (checkpoint.load(checkpoint.resolve(tmp_path / n)) for n in ("plain", "compiled"))
    assert plain["G"].keys() == compiled["G"].keys() and plain["D"].keys() == compiled["D"].keys()
    for key in ("G", "D"):
        for name, tensor in plain[key].items():
            torch.testing.assert_close(compiled[key][name], tensor, rtol=1e-4, atol=1e-5)
