"""`zerosum sample`: --labels by class name, --png-dir for FID tools, and their one-line refusals."""

import numpy as np
import pytest

from zerosum.cli import main
from zerosum.images import load_image


def _one_line_error(capsys, argv: list[str], fragment: str) -> str:
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zerosum: error: ") and fragment in lines[0], lines
    return lines[0]


def test_labels_by_name_and_index(named_run, tmp_path, capsys):
    npz = tmp_path / "s.npz"
    argv = ["sample", str(named_run), "--n", "6", "--labels", "dog, 0,fox", "--out", str(tmp_path / "g.png")]
    assert main([*argv, "--npz", str(npz)]) == 0
    assert np.load(npz)["labels"].tolist() == [1, 0, 2, 1, 0, 2]
    assert f"wrote {tmp_path / 'g.png'} (6 samples" in capsys.readouterr().out


def test_an_unknown_label_name_lists_the_classes(named_run, tmp_path, capsys):
    out = tmp_path / "g.png"
    line = _one_line_error(capsys, ["sample", str(named_run), "--labels", "dog,wolf", "--out", str(out)], "'wolf'")
    assert "cat, dog, fox" in line
    assert not out.exists()


def test_png_dir_writes_one_png_per_sample_and_no_grid(tiny_run, tmp_path, capsys):
    folder = tmp_path / "fid" / "fake"
    assert main(["sample", str(tiny_run), "--n", "12", "--seed", "2", "--png-dir", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{i:06d}.png" for i in range(12)]
    assert all(tuple(load_image(folder / name).shape) == (1, 16, 16) for name in names)
    assert not (tiny_run / "sample_seed2.png").exists()  # the grid only when --out asks for it
    assert list((tmp_path / "fid").iterdir()) == [folder]  # no temp folder left beside it
    assert f"wrote {folder}" in capsys.readouterr().out


def test_png_dir_with_out_writes_both(tiny_run, tmp_path):
    grid, folder = tmp_path / "grid.png", tmp_path / "pngs"
    assert main(["sample", str(tiny_run), "--n", "4", "--out", str(grid), "--png-dir", str(folder)]) == 0
    assert grid.is_file() and len(list(folder.iterdir())) == 4


@pytest.mark.parametrize("content", ["a file inside", "the path is a file"])
def test_png_dir_refuses_what_holds_files_before_sampling(tiny_run, tmp_path, capsys, content):
    target = tmp_path / "taken"
    if content == "a file inside":
        target.mkdir()
        (target / "old.png").write_bytes(b"x")
    else:
        target.write_text("x")
    out = tmp_path / "g.png"
    _one_line_error(capsys, ["sample", str(tiny_run), "--png-dir", str(target), "--out", str(out)], str(target))
    assert not out.exists()
