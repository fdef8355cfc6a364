import json

import numpy as np
import pytest

from zerosum.cli import main


@pytest.fixture
def sheet(tiny_run, tmp_path):
    png = tmp_path / "sheet.png"
    assert main(["sample", str(tiny_run), "--n", "16", "--numbered", "--out", str(png)]) == 0
    return png.with_suffix(".npz")


def test_arithmetic_writes_picture_and_record(tiny_run, sheet, tmp_path, capsys):
    out = tmp_path / "out" / "arith.png"
    args = ["arithmetic", str(tiny_run), "--sheet", str(sheet), "--a", "1,2,3", "--b", "4,5,6", "--c", "7"]
    assert main([*args, "--seed", "2", "--out", str(out)]) == 0
    assert f"wrote {out} (A - B + C" in capsys.readouterr().out
    record = json.loads(out.with_suffix(".json").read_text())
    z = np.load(sheet)["z"]
    expected = z[[1, 2, 3]].mean(0) - z[[4, 5, 6]].mean(0) + z[7]
    assert np.allclose(record["result_z"], expected, atol=1e-6)
    assert record["a"] == [1, 2, 3] and record["c"] == [7] and record["seed"] == 2 and record["noise"] == 0.25
    assert out.stat().st_size > 200


def test_direction_mode(tiny_run, sheet, tmp_path, capsys):
    out = tmp_path / "dir.png"
    args = ["arithmetic", str(tiny_run), "--sheet", str(sheet), "--a", "1,2", "--b", "3", "--direction"]
    assert main([*args, "--strengths=-1,0,0.5", "--base-seeds", "4,5", "--out", str(out)]) == 0
    assert "direction |d|" in capsys.readouterr().out
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["strengths"] == [-1.0, 0.0, 0.5] and record["bases"] == ["seed 4", "seed 5"]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--a", "1,99", "--b", "2", "--c", "3"], "--a 99: ids must lie in 0..15"),
        (["--a", "1", "--b", "2"], "give --c"),
        (["--a", "1", "--b", "2", "--c", "3", "--direction"], "--direction takes no --c"),
        (["--a", "1", "--b", "2", "--direction", "--strengths", "a"], "--strengths"),
        (["--a", "1", "--b", "2", "--c", "3", "--base", "1"], "add --direction"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(tiny_run, sheet, tmp_path, capsys, extra, fragment):
    out = tmp_path / "bad" / "x.png"
    assert main(["arithmetic", str(tiny_run), "--sheet", str(sheet), *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert not out.exists() and not out.with_suffix(".json").exists()


def test_missing_default_sheet_says_how_to_make_it(tiny_run, capsys):
    assert main(["arithmetic", str(tiny_run), "--a", "1", "--b", "2", "--c", "3"]) == 2
    err = capsys.readouterr().err
    assert "sample_seed0.npz" in err and f"zerosum sample {tiny_run} --numbered" in err
