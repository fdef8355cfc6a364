"""Bad data and bad arguments: each is a one-line error with exit code 2 (or a counted skip),
and a failed start leaves no run directory behind, nor touches an existing one."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import TINY_DCGAN
from tests.data.helpers import png_bytes, solid, write_files, write_zip
from zerosum.cli import main
from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.errors import DataError
from zerosum.run import read_config

# The demo preset made tiny: 16×16, 8 images, batch 4, one step.
TINY = [*(o for o in TINY_DCGAN if not o.startswith("data.limit")), "data.limit=8", "train.batch_size=4"]
TINY += ["train.steps=1", "train.ema=0", "train.r1_gamma=0"]


def _train(out: Path, *overrides: str, extra: tuple[str, ...] = ()) -> list[str]:
    sets = [arg for o in (*TINY, *overrides) for arg in ("--set", o)]
    return ["train", "--preset", "demo", "--out", str(out), *sets, *extra]


def _one_line_error(capsys, argv: list[str], fragment: str) -> str:
    """Run the CLI in-process: exit code 2 and exactly one stderr line, the error, which names `fragment`."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    errors = [line for line in lines if line.startswith("zerosum: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], err  # the last line; before it only start-up notes
    assert all(line.startswith("zerosum: ") for line in lines), err
    assert fragment in errors[0] and "Traceback" not in err
    return errors[0]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _good(n: int = 6) -> dict[str, bytes]:
    return {f"{i}.png": png_bytes(solid(20 * i)) for i in range(n)}


def test_truncated_image(tmp_path, capsys):
    full = png_bytes(np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8))
    data = write_files(tmp_path / "imgs", {**_good(), "cut.png": full[: len(full) // 2]})
    out = tmp_path / "run"
    line = _one_line_error(capsys, _train(out, f"data.name={data}"), "cut.png")
    assert "truncated" in line and not out.exists()


@pytest.mark.parametrize("payload", [b"not an image at all", b"\x89PNG\r\n\x1a\n broken", b"\xff\xd8\xff junk", b""])
def test_corrupt_image(tmp_path, capsys, payload):
    data = write_files(tmp_path / "imgs", {**_good(), "bad.jpg": payload})
    out = tmp_path / "run"
    line = _one_line_error(capsys, _train(out, f"data.name={data}"), "bad.jpg")
    assert "BytesIO" not in line and " at 0x" not in line  # no Python object addresses in a user's error
    assert not out.exists()


def test_non_image_files_only(tmp_path, capsys):
    data = write_files(tmp_path / "docs", {"a.txt": b"hello", "b.csv": b"1,2", "c.gif": png_bytes(solid(1), fmt="GIF")})
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={data}"), "holds no image files")
    assert not out.exists()


def test_non_image_file_as_dataset(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={tmp_path / 'notes.txt'}"), "neither a folder nor")
    assert not out.exists()


def test_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={tmp_path / 'empty'}"), "holds no image files")
    assert not out.exists()


def test_missing_folder(tmp_path, capsys):
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={tmp_path / 'nowhere'}"), "does not exist")
    assert not out.exists()


def test_a_path_with_a_line_break_still_gives_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    name = f'data.name="{tmp_path / "no"}\\nwhere"'  # in YAML double quotes, backslash-n is a line break
    line = _one_line_error(capsys, _train(out, name), "does not exist")
    assert "no\\nwhere" in line and not out.exists()  # escaped, so the user still sees what was typed


def test_truncated_zip_and_bad_zip_member(tmp_path, capsys):
    zip_path = write_zip(tmp_path / "a.zip", {**_good(), "junk.png": b"\x89PNG\r\n\x1a\n broken"})
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={zip_path}"), "a.zip:junk.png")
    raw = zip_path.read_bytes()
    (tmp_path / "cut.zip").write_bytes(raw[: len(raw) // 2])
    _one_line_error(capsys, _train(out, f"data.name={tmp_path / 'cut.zip'}"), "cut.zip")
    assert not out.exists()


def _encode(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_mixed_gray_rgb_rgba_train(tmp_path, capsys):
    files = {
        "gray.png": png_bytes(solid(10)),
        "rgb.png": png_bytes(solid(20, channels=3)),
        "rgba.png": png_bytes(np.zeros((8, 8, 4), np.uint8)),  # fully transparent: white after compositing
        "la.png": png_bytes(np.full((8, 8, 2), 30, np.uint8)),  # 30 at alpha 30/255 over white: 229
        "palette.png": _encode(Image.fromarray(solid(40, channels=3)).convert("P", palette=Image.Palette.ADAPTIVE)),
        "g16.png": _encode(Image.fromarray(np.full((8, 8), 40000, np.uint16))),  # 16-bit gray keeps its high byte: 156
        "photo.jpg": png_bytes(solid(50), fmt="JPEG"),
    }
    data = write_files(tmp_path / "mixed", files)
    for channels, want in (("1", 1), ("null", 3)):  # the demo's gray, and "keep": any color makes all RGB
        out = tmp_path / f"run{want}"
        assert main(_train(out, f"data.name={data}", f"data.channels={channels}")) == 0, capsys.readouterr().err
        assert read_config(out).data_info.shape == [want, 16, 16]
    s = load_dataset(DataConfig(name=str(data)))
    assert s.shape == (3, 8, 8) and len(s) == 7
    corners = sorted(int(v) for v in s.images[:, 0, 0, 0])
    assert corners[:3] == [10, 20, 40] and corners[-3:] == [156, 229, 255] and abs(corners[3] - 50) <= 2


def test_tiny_images(tmp_path, capsys):
    data = write_files(tmp_path / "tiny", {f"{i}.png": png_bytes(np.full((1, 1), 30 * i, np.uint8)) for i in range(6)})
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={data}", "data.size=null"), "cannot model 1×1 images")
    assert not out.exists()
    assert main(_train(out, f"data.name={data}")) == 0  # data.size=16 upsamples them: a legitimate request
    assert (out / "checkpoints").is_dir()


def test_images_of_different_sizes_without_data_size(tmp_path, capsys):
    files = {"a.png": png_bytes(solid(1, size=8)), "b.png": png_bytes(np.zeros((9, 8), np.uint8))}
    data = write_files(tmp_path / "imgs", files)
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={data}", "data.size=null"), "set data.size")
    assert not out.exists()


def test_batch_larger_than_the_data_leaves_no_run_dir(tmp_path, capsys):
    data = write_files(tmp_path / "two", _good(2))
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={data}"), "exceeds the dataset size 2")
    assert not out.exists()


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("train.nosuch=1", "train.nosuch: unknown key"),
        ("nosuch.x=1", "nosuch: unknown key"),
        ("train.steps=abc", "train.steps"),
        ("train.steps=-1", "train.steps"),
        ("train.steps=1.5", "train.steps"),
        ("data.channels=2", "data.channels"),
        ("train.betas=[0.5, 1.5]", "betas"),
        ("train.steps", "expected key=value"),
        ("=3", "expected key=value"),
        ("train.steps.x=1", "is a value, not a section"),
        ("train.steps=[1", "not valid YAML"),
        ("train=3", "train"),
    ],
)
def test_wrong_set_key_or_type(tmp_path, capsys, override, fragment):
    out = tmp_path / "run"
    _one_line_error(capsys, [*_train(out), "--set", override], fragment)
    assert not out.exists()


def test_unknown_preset(tmp_path, capsys):
    out = tmp_path / "run"
    _one_line_error(capsys, ["train", "--preset", "no-such-preset", "--out", str(out)], "unknown preset")
    assert not out.exists()


@pytest.mark.parametrize(
    "verb",
    [
        ["train", "--resume"],
        ["sample"],
        ["evaluate", "--metrics", "fd_lenet"],
        ["export"],
        ["interpolate"],
    ],
)
def test_a_run_dir_that_is_not_one(tmp_path, capsys, verb):
    fake = write_files(tmp_path / "not_a_run", {"notes.txt": b"my files", "sub/x.png": png_bytes(solid(3))})
    before = _snapshot(fake)
    argv = [*verb[:2], str(fake), *verb[2:]] if verb[0] == "train" else [verb[0], str(fake), *verb[1:]]
    _one_line_error(capsys, argv, "not a zerosum run directory")
    assert _snapshot(fake) == before


def test_out_that_holds_other_files_is_untouched(tmp_path, capsys):
    mine = write_files(tmp_path / "mine", {"thesis.txt": b"do not delete"})
    before = _snapshot(mine)
    _one_line_error(capsys, _train(mine), "already holds files")
    _one_line_error(capsys, _train(mine, extra=("--overwrite",)), "not a zerosum run directory")
    assert _snapshot(mine) == before


def test_failed_overwrite_leaves_the_existing_run_untouched(tmp_path, capsys):
    good = write_files(tmp_path / "good", _good(8))
    run = tmp_path / "run"
    assert main(_train(run, f"data.name={good}")) == 0
    capsys.readouterr()
    before = _snapshot(run)
    bad = write_files(tmp_path / "bad", {**_good(), "bad.png": b"garbage"})
    _one_line_error(capsys, _train(run, f"data.name={bad}", extra=("--overwrite",)), "bad.png")
    _one_line_error(capsys, _train(run, "train.bogus=1", extra=("--overwrite",)), "unknown key")
    assert _snapshot(run) == before


def test_skip_bad_counts_the_skipped_files(tmp_path, caplog):
    full = png_bytes(solid(9, size=16))
    data = write_files(tmp_path / "imgs", {**_good(3), "cut.png": full[:20], "junk.jpg": b"junk"})
    with pytest.raises(DataError, match="cut.png"):
        load_dataset(DataConfig(name=str(data)))
    with caplog.at_level(logging.WARNING, logger="zerosum"):
        s = load_dataset(DataConfig(name=str(data), skip_bad=True))
    assert len(s) == 3 and s.skipped == 2
    assert "skipped 2 unreadable image file(s)" in caplog.text
    skips = [r.getMessage() for r in caplog.records if r.getMessage().startswith("skipped ")]
    assert [m.split(" (")[0] for m in skips] == [f"skipped {data / 'cut.png'}", f"skipped {data / 'junk.jpg'}"]
    assert not any("--skip-bad-images" in m or "data.skip_bad" in m for m in skips)  # it is already on
    all_bad = write_files(tmp_path / "all_bad", {"a.png": b"x", "b.png": full[:20]})
    with pytest.raises(DataError, match=r"no readable images .*2 unreadable"):
        load_dataset(DataConfig(name=str(all_bad), skip_bad=True))


def test_skip_bad_images_flag_is_kept_by_the_run_and_its_resume(tmp_path, capsys):
    """Without the flag the error names it; with it the run trains on the good files and resume reads the same."""
    data = write_files(tmp_path / "imgs", {**_good(6), "junk.jpg": b"junk"})
    out = tmp_path / "run"
    _one_line_error(capsys, _train(out, f"data.name={data}"), "--skip-bad-images")
    assert not out.exists()
    assert main(_train(out, f"data.name={data}", extra=("--skip-bad-images",))) == 0
    assert read_config(out).data.skip_bad is True
    capsys.readouterr()
    assert main(["train", "--resume", str(out), "--set", "train.steps=2"]) == 0  # no flag: the run remembers it
    assert "finished: 1 step (from step 1) in" in capsys.readouterr().out
    assert read_config(out).data.skip_bad is True
