"""`zerosum report`: one self-contained HTML page from a run directory (or a reproduce record) alone."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from zerosum.cli import main
from zerosum.errors import ConfigError
from zerosum.report import render_report, write_report
from zerosum.report.collect import MAX_PREVIEWS, collect_run, thin


def report_data(html: str) -> dict:
    text = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(text.replace("<\\/", "</"))


def test_training_writes_the_report_and_where_it_ran(tiny_run):
    html = (tiny_run / "report.html").read_text()
    data = report_data(html)
    assert data["kind"] == "run" and data["step"] == 3 and data["steps"] == 3
    assert {"loss_d", "loss_g", "d_real", "d_fake"} <= set(data["series"])
    assert data["series"]["loss_d"]["x"] == [1, 2, 3]
    session = data["sessions"][0]
    assert session["step"] == 0 and "torch" in session and session["fast_paths"]["amp"] in ("off", "bf16", "fp16")
    assert [c["step"] for c in data["checkpoints"]] == [3] and data["checkpoints"][0]["latest"]
    assert data["config"]["preset"] == "dcgan-mnist"


def test_the_page_loads_nothing_from_anywhere(tiny_run):
    html = render_report(tiny_run)
    assert "default-src 'none'" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # every asset inline
    assert "<script>" in html and "ZPlot" in html


def test_a_run_without_training_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="not a zerosum run directory"):
        write_report(tmp_path)
    with pytest.raises(ConfigError, match="no such run directory"):
        write_report(tmp_path / "missing")


def test_cli_writes_where_asked_and_refuses_other_names(tiny_run, tmp_path, capsys):
    assert main(["report", str(tiny_run), "--out", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    assert capsys.readouterr().out.strip() == str(tmp_path / "r.html")
    assert main(["report", str(tiny_run), "--out", str(tmp_path / "r.txt")]) == 2
    assert "name an .html file" in capsys.readouterr().err


def test_events_previews_evaluations_and_long_logs(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    rows = [{"step": i, "loss_d": 1.0, "loss_g": float(i)} for i in range(1, 5001)]
    rows[2000]["eval/fd_lenet"] = 12.5
    rows.append({"step": 1200, "event": "divergence", "kind": "nan", "reason": "loss_d is nan", "detected_at": 1250,
                 "since": 1240, "lr_scale": 0.5, "recovery": 1, "stopped": False})  # fmt: skip
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"step": 5001, "loss')
    for step in range(0, 120):
        shutil.copyfile(tiny_run / "samples.png", run / "samples" / f"step_{step:08d}.png")
    (run / "eval").mkdir()
    (run / "eval" / "fd_lenet.json").write_text(json.dumps({"value": 12.5, "n": 1000, "details": {"skipped": 1}}))
    data = collect_run(run)
    assert len(data["series"]["loss_g"]["x"]) <= 1501 and data["series"]["loss_g"]["x"][-1] == 5000
    assert data["series"]["eval/fd_lenet"] == {"x": [2001], "y": [12.5]}  # an evaluation row is never thinned out
    assert data["events"][0]["reason"] == "loss_d is nan"
    assert (
        len(data["previews"]) == MAX_PREVIEWS
        and data["previews"][0]["step"] == 0
        and data["previews"][-1]["step"] == 119
    )
    assert data["evaluations"] == [{"name": "fd_lenet", "fields": {"value": 12.5, "n": 1000}}]


def test_thinning_keeps_first_and_last():
    rows = [{"step": i} for i in range(10)]
    assert thin(rows, 20) == rows
    kept = [r["step"] for r in thin(rows, 4)]
    assert kept[0] == 0 and kept[-1] == 9 and len(kept) <= 5


def test_text_cannot_close_the_data_script(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    cfg = (run / "config.yaml").read_text().replace("preset: dcgan-mnist", "preset: '</script><script>alert(1)'")
    (run / "config.yaml").write_text(cfg)
    html = render_report(run)
    assert "</script><script>alert(1)" not in html
    assert report_data(html)["preset"] == "</script><script>alert(1)"


def test_a_reproduce_record_with_its_figures(tmp_path, tiny_run):
    (tmp_path / "toy").mkdir()
    shutil.copyfile(tiny_run / "samples.png", tmp_path / "toy" / "fast-samples.png")
    figures = [{"file": "toy/fast-samples.png", "caption": "samples"}, {"file": "../escape.png", "caption": "x"}]
    fast = {"command": "zerosum reproduce toy", "rows": [], "text": "", "figures": figures}
    record = {"name": "toy", "title": "Toy", "source": "test", "budgets": {"fast": fast}}
    (tmp_path / "toy.json").write_text(json.dumps(record))
    out = write_report(tmp_path / "toy.json")
    assert out == tmp_path / "toy.html"
    data = report_data(out.read_text())
    assert data["kind"] == "experiment" and [f["caption"] for f in data["budgets"][0]["figures"]] == ["samples"]


def test_the_switch_and_a_failing_report(tmp_path, monkeypatch, capsys):
    import zerosum
    import zerosum.report
    from tests.conftest import TINY_DCGAN

    over = [*TINY_DCGAN, "train.steps=1"]
    zerosum.train("dcgan-mnist", overrides=[*over, "train.report=false"], out=tmp_path / "off")
    assert not (tmp_path / "off" / "report.html").exists() and (tmp_path / "off" / "sessions.jsonl").is_file()

    def broken(path, out=None):
        raise OSError("no space left")

    monkeypatch.setattr(zerosum.report, "write_report", broken)
    result = zerosum.train("dcgan-mnist", overrides=over, out=tmp_path / "on")
    assert result.status == "finished" and result.checkpoint.is_file()
    assert "the report was not written (OSError: no space left)" in capsys.readouterr().err
