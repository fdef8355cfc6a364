"""`zerosum complete` from the command line on the tiny run."""

from __future__ import annotations

import dataclasses
import json

import pytest
from PIL import Image

from zerosum.cli import main
from zerosum.completion.evaluate import Settings
from zerosum.images import save_png
from zerosum.verbs.complete import _Defaults

FAST = ["--steps", "3", "--restarts", "2"]


def test_complete_dataset_writes_png_and_json(tiny_run, tmp_path, capsys) -> None:
    out = tmp_path / "c.png"
    argv = ["complete", str(tiny_run), "--n", "2", "--mask", "center", *FAST]  # the run's own dataset
    assert main([*argv, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "wrote" in said and "hole PSNR" in said
    rec = json.loads(out.with_suffix(".json").read_text())
    assert rec["verb"] == "complete" and rec["mask"] == "center" and rec["known_fraction"] == 0.75
    assert set(rec["summary"]) == {"zerosum", "zerosum_raw", "mean_fill", "telea"}
    assert len(rec["per_image"]["telea"]["psnr"]) == 2 and rec["split"] == "test" and rec["dataset"] == "mnist"
    with Image.open(out) as im:
        assert im.format == "PNG"


def test_complete_shows_a_progress_bar_not_a_line_per_batch(tiny_run, tmp_path, capsys, show_progress) -> None:
    argv = ["complete", str(tiny_run), "--n", "1", "--mask", "center", "--no-baselines", *FAST]
    assert main([*argv, "--out", str(tmp_path / "c.png")]) == 0
    err = capsys.readouterr().err
    assert "completing 1 image(s) (2 restarts each): 1/3 step, eta" in err
    assert "completing 1 image(s) (2 restarts each): 3/3 step, done in" in err
    assert "completed 1/1 images" not in err


def test_complete_image_files_without_baselines(tiny_run, tmp_path) -> None:
    import torch

    paths = []
    for i in range(2):
        paths.append(tmp_path / f"in{i}.png")
        save_png(paths[-1], torch.randint(0, 255, (1, 20, 20), dtype=torch.uint8))
    out = tmp_path / "files"
    argv = ["complete", str(tiny_run), "--images", *map(str, paths), "--mask", "random", "--blend", "feather"]
    assert main([*argv, *FAST, "--no-baselines", "--out", str(out)]) == 0
    rec = json.loads((tmp_path / "files.json").read_text())
    assert set(rec["summary"]) == {"zerosum", "zerosum_raw"} and rec["files"] == [str(p) for p in paths]
    assert rec["settings"]["blend"] == "feather" and (tmp_path / "files.png").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dataset", "mnist", "--mask", "circle"], "--mask 'circle'"),
        (["--images", "nope.png", "--mask", "center"], "no such file"),
        (["--dataset", "mnist", "--mask", "center", "--blend", "alpha"], "--blend 'alpha'"),
    ],
)
def test_user_errors_exit_2_with_one_line(tiny_run, tmp_path, capsys, extra, message) -> None:
    assert main(["complete", str(tiny_run), *extra, "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("zerosum: error:")


def test_cli_defaults_match_the_api() -> None:
    api = {f.name: f.default for f in dataclasses.fields(Settings)}
    assert all(api[k] == v for k, v in vars(_Defaults).items() if not k.startswith("_"))
