"""`zerosum features` end to end on the tiny fixture run, and its one-line refusals."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from zerosum.cli import main


def test_features_writes_table_picture_and_record(tiny_run, tmp_path, capsys):
    out = tmp_path / "feat.png"
    args = ["features", str(tiny_run), "--labels", "40", "--seeds", "2", "--epochs", "1", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "D features + L2-SVM" in printed and "supervised D (same labels)" in printed and "±" in printed
    assert f"wrote {out} and {tmp_path / 'feat.json'}" in printed
    assert out.stat().st_size > 5000
    record = json.loads((tmp_path / "feat.json").read_text())
    assert record["verb"] == "features" and record["step"] == 3 and record["labels"] == 40
    assert record["feature_dim"] == 384 and len(record["methods"]["D features + L2-SVM"]["per_seed"]) == 2


def test_no_baseline_and_all_labels_capped(tiny_run, tmp_path, capsys):
    out = tmp_path / "all.png"
    args = ["features", str(tiny_run), "--labels", "all", "--max-train", "200", "--no-baseline", "--out", str(out)]
    assert main(args) == 0
    assert "capped to a class-balanced 200" in capsys.readouterr().out
    record = json.loads(out.with_suffix(".json").read_text())
    assert list(record["methods"]) == ["D features + L2-SVM"] and record["capped"] and record["seeds"] == 1


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--dataset", "no-such-set"], "unknown dataset 'no-such-set'"),
        (["--labels", "many"], "--labels 'many'"),
        (["--labels", "15"], "--labels 15: give at least 20 (2 per class"),
        (["--epochs", "0"], "--epochs 0"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tiny_run, tmp_path, capsys, extra, fragment):
    assert main(["features", str(tiny_run), "--no-baseline", "--out", str(tmp_path / "x.png"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and err.count("\n") == 0
    assert not (tmp_path / "x.json").exists()


def test_images_of_another_shape_exit_2(tiny_run, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["data"]["size"] = None  # the data now load at MNIST's own 28×28, while D takes 16×16
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    assert main(["features", str(run), "--no-baseline", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert "are 1×28×28 but D takes 1×16×16" in err and err.count("\n") == 0
