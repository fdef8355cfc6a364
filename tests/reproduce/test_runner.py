"""`zerosum reproduce`: an experiment end to end on a tiny budget, and its errors."""

from __future__ import annotations

import json

import pytest

from zerosum.cli import main
from zerosum.errors import ConfigError
from zerosum.reproduce import experiments, parse_params, reproduce

TINY = {"steps": 60, "moments": [20, 40, 60], "samples": 2000, "recipe": []}


def test_toy_1d_writes_page_record_and_figure(tmp_path):
    page = reproduce(
        "toy-1d", "fast", params=TINY, out=tmp_path / "runs", docs=tmp_path / "docs", force=True, quiet=True
    )
    record = json.loads((tmp_path / "docs/results/toy-1d.json").read_text())["budgets"]["fast"]
    assert record["command"] == "zerosum reproduce toy-1d --budget fast --param steps=60 --param moments=[20, 40, 60]" \
        " --param samples=2000 --param recipe=[]"  # fmt: skip
    assert [r["metric"].split(",")[0] for r in record["rows"]] == ["max |D(x) − ½| on μ ± 2σ", "Wasserstein-1(p_g"]
    w1 = float(record["rows"][1]["value"])
    assert 0 < w1 < 5 and record["rows"][1]["met"] == (w1 <= 0.05)
    assert (tmp_path / "docs/results/toy-1d/fast-figure1.png").stat().st_size > 1000
    assert "step 20:" in record["text"] and "step 60:" in record["text"]
    assert page.read_text().startswith("# `toy-1d`")


def test_params_are_checked_and_parsed():
    assert parse_params(["steps=20", "recipe=[a, b]"]) == {"steps": 20, "recipe": ["a", "b"]}
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_params(["steps"])
    with pytest.raises(ConfigError, match="no parameter stpes"):
        reproduce("toy-1d", params={"stpes": 1})


def test_cli_lists_every_experiment_and_refuses_bad_input(tmp_path, capsys):
    assert main(["reproduce", "--list"]) == 0
    listed = capsys.readouterr().out
    for exp in experiments():
        assert exp.name in listed and "fast:" in listed and "paper:" in listed
    assert main(["reproduce", "nope"]) == 2
    assert main(["reproduce", "toy-1d", "--budget", "huge"]) == 2
    assert main(["reproduce", "all", "--param", "steps=1"]) == 2
    assert main(["reproduce"]) == 2
    assert "no experiment named 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_a_reproduction_writes_its_page_beside_its_runs_not_into_docs(tmp_path, monkeypatch, capsys):
    """Following docs/reproduce.md with a trial --param must leave the repository's pages as they are."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/RESULTS.md").write_text("published\n")
    args = ["reproduce", "toy-1d", *[a for k, v in TINY.items() for a in ("--param", f"{k}={v}")]]
    assert main(args) == 0
    assert (tmp_path / "docs/RESULTS.md").read_text() == "published\n"
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["RESULTS.md"]
    assert (tmp_path / "runs/reproduce/results/toy-1d.md").is_file()
    assert (tmp_path / "runs/reproduce/RESULTS.md").is_file()
    assert "wrote runs/reproduce/results/toy-1d.md and runs/reproduce/RESULTS.md" in capsys.readouterr().out


def test_docs_with_a_changed_budget_needs_force(tmp_path, capsys):
    assert main(["reproduce", "toy-1d", "--param", "steps=60", "--docs", str(tmp_path / "docs")]) == 2
    err = capsys.readouterr().err
    assert "--param steps changes the fast budget" in err and "--force" in err and err.count("\n") == 1
    assert not (tmp_path / "docs").exists()
    with pytest.raises(ConfigError, match="changes the fast budget"):
        reproduce("toy-1d", params={"steps": 60}, out=tmp_path / "runs", docs=tmp_path / "docs")
    assert not (tmp_path / "runs").exists()
