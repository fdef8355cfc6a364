"""`zerosum classify`: a semi-supervised run's D read as a classifier; other runs refused with one line."""

from __future__ import annotations

import json

import pytest

import zerosum
from zerosum.cli import main
from zerosum.fewlabels.classify import split_accuracy

TINY_SSGAN = ["data.limit=300", "data.labelled=20", "model.g_hidden=[16]", "model.d_hidden=[32, 16]",
              "model.nz=8", "train.batch_size=16", "train.steps=3", "train.tensorboard=false",
              "train.progress=false"]  # fmt: skip


@pytest.fixture(scope="module")
def ssgan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ssgan") / "run"
    zerosum.train("ssgan-mnist", overrides=TINY_SSGAN, out=out)
    return out


def test_classify_writes_accuracy_per_class(ssgan_run, tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["classify", str(ssgan_run), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "mnist test: accuracy" in printed and "errors in 10,000" in printed
    record = json.loads(out.read_text())
    assert record["n"] == 10_000 and len(record["per_class"]) == 10
    assert record["errors"] == round((1 - record["accuracy"]) * 10_000)
    assert split_accuracy(ssgan_run).errors == record["errors"]  # the Python function, the same number


def test_the_averaged_d_classifies_when_the_run_kept_one(ssgan_run):
    import torch

    from zerosum.fewlabels.classify import class_logits

    run = zerosum.load_run(ssgan_run)
    assert run.config.train.d_ema > 0 and run.classifier is run.D_ema is not None
    images = torch.randint(0, 256, (8, 1, 28, 28), dtype=torch.uint8)
    x = images.float() / 255  # the preset's G draws in [0, 1]
    assert torch.allclose(class_logits(run, images), run.D_ema.classify(x), atol=1e-5)
    assert not torch.allclose(run.D_ema.classify(x), run.D.classify(x), atol=1e-4)  # an average, not a copy of D
    plain = zerosum.load_run(ssgan_run)
    plain.D_ema = None
    assert torch.allclose(class_logits(plain, images), run.D.classify(x), atol=1e-5)


def test_an_averaged_d_is_for_semi_supervised_runs_only():
    from zerosum.config import resolve

    with pytest.raises(zerosum.ConfigError, match="train.d_ema averages a classifying D"):
        resolve("dcgan-mnist", ["train.d_ema=0.99"])


def test_the_labelled_subset_is_the_seeded_class_balanced_one(ssgan_run):
    import torch

    from zerosum.data import load_dataset
    from zerosum.data.summary import data_summary

    run = zerosum.load_run(ssgan_run)
    assert run.config.data.labelled == 20 and run.D.classes == 10
    data = load_dataset(run.config.data)
    assert len(data) == 300 and "20 of them labelled" in data_summary(data)
    assert torch.equal(data.labels[data.labelled].bincount(minlength=10), torch.full((10,), 2))
    again = load_dataset(run.config.data.model_copy(update={"label_seed": 0}))
    other = load_dataset(run.config.data.model_copy(update={"label_seed": 1}))
    assert torch.equal(again.labelled, data.labelled) and not torch.equal(other.labelled, data.labelled)


def test_a_gan_run_is_refused_with_one_line(tiny_run, tmp_path, capsys):
    assert main(["classify", str(tiny_run), "--out", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert "reads a semi-supervised run's D as a classifier" in err and err.count("\n") == 0
    assert not (tmp_path / "c.json").exists()
