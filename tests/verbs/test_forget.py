import json
from pathlib import Path

import numpy as np
import pytest
import torch

import zerosum
from zerosum.cli import main
from zerosum.data import objects


@pytest.fixture(scope="module")
def objects_run(tmp_path_factory) -> Path:
    """A 2-step DCGAN on 16×16 `objects` rooms: enough for the plumbing, far too short to draw the object."""
    out = tmp_path_factory.mktemp("objects_run") / "run"
    over = ["data.params.n=64", "data.limit=64", "data.size=16", "model.ngf=8", "model.ndf=8", "model.nz=8"]
    over += ["train.batch_size=16", "train.steps=2", "train.tensorboard=false", "train.progress=false"]
    zerosum.train("dcgan-objects", overrides=[*over, "train.sample_every=1000"], out=out)
    return out


@pytest.fixture
def boxes_file(objects_run, tmp_path) -> Path:
    z = torch.randn(10, 8, generator=torch.Generator().manual_seed(50)).numpy()
    np.savez(tmp_path / "sheet.npz", z=z, images=np.zeros((10, 3, 16, 16), np.uint8))
    spec = {"sheet": "sheet.npz", "boxes": {"2": [[1, 1, 7, 6]], "5": [[8, 3, 16, 12], [0, 10, 4, 16]], "7": []}}
    path = tmp_path / "boxes.json"
    path.write_text(json.dumps(spec))
    return path


def test_user_boxes_write_picture_and_record(objects_run, boxes_file, tmp_path, capsys):
    out = tmp_path / "out" / "forget.png"
    args = ["forget", str(objects_run), "--boxes", str(boxes_file), "--n-show", "4", "--n-measure", "30"]
    assert main([*args, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"wrote {out} and {out.with_suffix('.json')}" in said and "object pixel mass" in said
    rec = json.loads(out.with_suffix(".json").read_text())
    assert rec["ids"] == [2, 5, 7] and rec["n_boxes"] == 3 and rec["n_fit_images"] == 3
    assert rec["sheet"] == str(boxes_file.parent / "sheet.npz") and rec["n_held_out"] == 30
    assert rec["object_mass"]["before"]["mass"] >= 0 and {"after_relative_drop", "erased"} <= set(rec["object_mass"])
    assert out.stat().st_size > 300


def test_detect_finds_boxes_and_writes_them_in_the_boxes_format(objects_run, tmp_path, monkeypatch, capsys):
    def fake_find(images, value_range=(-1.0, 1.0)):  # a 2-step G draws no red object: pretend it drew a square
        mask = torch.zeros(len(images), *images.shape[2:], dtype=torch.bool)
        mask[::2, 3:9, 4:8] = True
        return mask

    monkeypatch.setattr(objects, "find_object", fake_find)
    out = tmp_path / "det.png"
    args = ["forget", str(objects_run), "--boxes", "detect", "--n-detect", "12", "--n-measure", "20", "--n-show", "3"]
    assert main([*args, "--out", str(out)]) == 0
    assert "det_boxes.json (edit it" in capsys.readouterr().out
    spec = json.loads((tmp_path / "det_boxes.json").read_text())
    assert spec["sheet"] == "det_sheet.npz" and len(spec["boxes"]) == 12
    assert spec["boxes"]["0"] == [[4, 3, 8, 9]] and spec["boxes"]["1"] == []
    rec = json.loads(out.with_suffix(".json").read_text())
    assert rec["boxes_from"] == "detect" and rec["n_boxes"] == 6 and rec["n_positives"] == 6 * 2 * 3
    again = tmp_path / "again.png"  # the written file is a valid --boxes input
    assert main(["forget", str(objects_run), "--boxes", str(tmp_path / "det_boxes.json"), "--out", str(again)]) == 0
    assert json.loads(again.with_suffix(".json").read_text())["n_boxes"] == 6


def test_detect_on_another_dataset_says_to_give_boxes(tiny_run, tmp_path, capsys):
    assert main(["forget", str(tiny_run), "--boxes", "detect", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "runs on `objects`" in err[0] and "give a boxes.json" in err[0]


@pytest.mark.parametrize(
    ("boxes", "fragment"),
    [
        ({"2": [[1, 1, 17, 6]]}, "0 <= x0 < x1 <= 16"),
        ({"2": [[5, 1, 5, 6]]}, "0 <= x0 < x1"),
        ({"2": [[1, 1, 6]]}, "a box is [x0, y0, x1, y1]"),
        ({"10": [[1, 1, 6, 6]]}, "id '10' is not on the sheet"),
        ({"2": "everywhere"}, "expected a list of boxes"),
        ({}, "expected {"),
    ],
)
def test_bad_boxes_exit_2_with_one_line(objects_run, tmp_path, capsys, boxes, fragment):
    np.savez(tmp_path / "sheet.npz", z=np.zeros((10, 8), np.float32))
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"sheet": "sheet.npz", "boxes": boxes}))
    out = tmp_path / "bad.png"
    assert main(["forget", str(objects_run), "--boxes", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert not out.exists()


def test_unreadable_files_and_sheets(objects_run, tmp_path, capsys):
    path = tmp_path / "b.json"
    path.write_text("{not json")
    assert main(["forget", str(objects_run), "--boxes", str(path)]) == 2
    assert "cannot read boxes file" in capsys.readouterr().err
    path.write_text(json.dumps({"boxes": {"0": [[0, 0, 4, 4]]}}))
    assert main(["forget", str(objects_run), "--boxes", str(path)]) == 2  # no sheet named, none at the default
    assert "sample_seed0.npz not found" in capsys.readouterr().err
    np.savez(tmp_path / "wide.npz", z=np.zeros((4, 100), np.float32))
    assert main(["forget", str(objects_run), "--boxes", str(path), "--sheet", str(tmp_path / "wide.npz")]) == 2
    assert "not N×8 floats" in capsys.readouterr().err
