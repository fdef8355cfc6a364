"""`zerosum export`: safetensors + JSON that sample like the run itself, load without pickle, and refuse tampering."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil

import pytest
import torch

import zerosum
from zerosum.cli import main
from zerosum.errors import CheckpointError, ConfigError
from zerosum.export import META, WEIGHTS, export_generator


@pytest.fixture
def exported(tiny_run, tmp_path):
    return export_generator(zerosum.load_run(tiny_run), tmp_path / "export")


def test_export_samples_exactly_like_the_run(tiny_run, exported):
    run, shipped = zerosum.load_run(tiny_run), zerosum.load_run(exported)
    assert shipped.D is None and shipped.step == run.step and shipped.config == run.config
    want, got = zerosum.sample(run, 8, seed=3), zerosum.sample(shipped, 8, seed=3)
    assert torch.equal(want.z, got.z) and torch.equal(want.images, got.images)  # the EMA copy was exported
    assert zerosum.load_run(exported / WEIGHTS).step == run.step  # the weights file itself names the export too


def test_loading_an_export_unpickles_nothing(exported, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an export must load without pickle")

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    assert zerosum.sample(zerosum.load_run(exported), 2, seed=0).images.shape[0] == 2


def test_cli_export_then_sample(tiny_run, tmp_path, capsys):
    out = tmp_path / "shipped"
    assert main(["export", str(tiny_run), "--out", str(out)]) == 0
    assert "EMA generator" in capsys.readouterr().out
    assert main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 100
    assert main(["export", str(tiny_run), "--out", str(out)]) == 2  # no silent overwrite
    assert "already holds an export" in capsys.readouterr().err
    assert main(["export", str(tiny_run), "--out", str(out), "--overwrite"]) == 0


def test_replaced_weights_fail_the_checksum(exported):
    blob = bytearray((exported / WEIGHTS).read_bytes())
    blob[-1] ^= 0xFF
    (exported / WEIGHTS).write_bytes(bytes(blob))
    with pytest.raises(CheckpointError, match="checksum"):
        zerosum.load_run(exported)


def test_weights_of_another_architecture_are_refused(exported):
    from safetensors.torch import save

    state = {"main.0.weight": torch.zeros(3, 3)}
    blob = save(state)
    (exported / WEIGHTS).write_bytes(blob)
    meta = json.loads((exported / META).read_text())
    meta["sha256"] = hashlib.sha256(blob).hexdigest()  # a consistent but wrong pair
    (exported / META).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="does not fit the architecture"):
        zerosum.load_run(exported)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda m: m.update(format="pickle"), "not a zerosum generator export"),
        (lambda m: m.update(version=99), "export version 99"),
        (lambda m: m["config"]["model"].update(ngf="many"), "model.ngf"),
        (lambda m: m["config"].update(data_info=None), "lacks data_info"),
    ],
)
def test_a_bad_json_is_one_clear_error(exported, edit, match):
    meta = json.loads((exported / META).read_text())
    edit(meta)
    (exported / META).write_text(json.dumps(meta))
    with pytest.raises((CheckpointError, ConfigError), match=match):
        zerosum.load_run(exported)


def test_verbs_that_need_d_say_so(exported, tmp_path, capsys):
    assert main(["complete", str(exported), "--mask", "center", "--n", "1", "--out", str(tmp_path / "c.png")]) == 2
    assert "needs the discriminator" in capsys.readouterr().err
    copy = shutil.copytree(exported, tmp_path / "copy")
    assert main(["sample", str(copy), "--checkpoint", "best"]) == 2
    assert "one set of weights" in capsys.readouterr().err
