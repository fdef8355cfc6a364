import json

import pytest

from zerosum.cli import main


def test_interpolate_writes_picture_gif_neighbours_and_record(tiny_run, tmp_path, capsys):
    out = tmp_path / "walk.png"
    args = ["interpolate", str(tiny_run), "--steps", "4", "--pairs", "2", "--gif", "--neighbours", "2"]
    assert main([*args, "--slerp", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (2 rows of 4, slerp" in printed and "nearest training image" in printed
    for name in ("walk.png", "walk.json", "walk.gif", "walk_neighbours.png"):
        assert (tmp_path / name).is_file(), name
    record = json.loads((tmp_path / "walk.json").read_text())
    assert record["verb"] == "interpolate" and record["mode"] == "slerp" and record["images"] == 8
    nb = record["neighbours"]
    assert nb["references"] == 256 and nb["source"] == "training set"  # tiny_run trains on 256 MNIST images
    assert nb["nn_mean"] > 0 and nb["train_nn_median"] > 0


def test_interpolate_seeds_and_through(tiny_run, tmp_path):
    assert main(["interpolate", str(tiny_run), "--steps", "3", "--seeds", "1,2", "--out", str(tmp_path / "a")]) == 0
    assert json.loads((tmp_path / "a.json").read_text())["seeds"] == [1, 2]
    assert main(["interpolate", str(tiny_run), "--through", "1,2,3", "--out", str(tmp_path / "b.png")]) == 0
    assert json.loads((tmp_path / "b.json").read_text())["images"] == 19  # 2 segments of 10, sharing one end


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--seeds", "1,2,3"], "pairs of seeds"),
        (["--seeds", "1,x"], "--seeds"),
        (["--steps", "1"], "--steps 1"),
        (["--neighbours", "-1"], "--neighbours -1"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(tiny_run, tmp_path, capsys, extra, fragment):
    out = tmp_path / "sub" / "x.png"
    assert main(["interpolate", str(tiny_run), *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert not out.exists() and not out.with_suffix(".json").exists()
