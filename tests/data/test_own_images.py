"""Your own images (docs/data.md): the folder preset keeps colour, fits the batch, and says what it trains on."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import zerosum
from tests.data.helpers import png_bytes, write_files
from zerosum.cli import main
from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.decode import decode
from zerosum.data.summary import data_summary, shapes_text, upscale_warning

QUICK = ["train.steps=2", "train.tensorboard=false", "train.progress=false", "model.ngf=8", "model.ndf=8"]


def _colour_folder(root, n=50, size=48):
    rng = np.random.default_rng(0)
    files = {}
    for i in range(n):
        arr = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        arr[..., 0] = 230  # clearly colour: gray would lose it
        files[f"class{i % 3}/{i:03d}.png"] = png_bytes(arr)
    return write_files(root, files)


def test_the_documented_recipe_trains_50_rgb_images_in_rgb(tmp_path, caplog):
    folder = _colour_folder(tmp_path / "pets")
    with caplog.at_level("INFO", logger="zerosum"):
        zerosum.train("dcgan-folder", overrides=[f"data.name={folder}", *QUICK], out=tmp_path / "run")
    run = zerosum.load_run(tmp_path / "run")
    assert run.config.data_info.shape == [3, 64, 64]  # colour kept, not grayed
    assert run.config.train.batch_size == 50  # fitted to the 50 images, and recorded for resume
    assert "data: 50 images, 48×48 RGB from pets → 64×64 RGB, 3 classes" in caplog.text
    assert "train.batch_size lowered from 64 to 50" in caplog.text
    assert zerosum.resume(tmp_path / "run", overrides=["train.steps=3"]).step == 3


def test_summary_of_a_built_in_set_and_of_mixed_sizes():
    mnist = load_dataset(DataConfig(name="mnist", limit=100, size=16))
    assert data_summary(mnist) == "100 images, 28×28 gray from mnist → 16×16 gray, 10 classes"
    assert shapes_text({(10, 20, 1): 3, (480, 640, 3): 1, (30, 40, 3): 2}) == (
        "3 sizes from 20×10 to 640×480, gray and RGB"
    )


def test_exif_orientation_is_applied(tmp_path):
    arr = np.zeros((20, 40, 3), dtype=np.uint8)  # stored landscape, 40 wide
    arr[:, :20] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": how phones store portrait photos
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", exif=exif, quality=95)
    upright = decode(buf.getvalue(), "phone.jpg")
    assert upright.shape == (40, 20, 3)  # seen portrait
    assert upright[:15].mean() > 200 and upright[-15:].mean() < 50  # the white half is now on top


def test_a_damaged_exif_block_keeps_the_pixels(tmp_path):
    arr = np.full((8, 12, 3), 90, dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", exif=b"Exif\x00\x00garbage-not-tiff")
    assert decode(buf.getvalue(), "odd.jpg").shape == (8, 12, 3)


def test_tiny_images_upscaled_more_than_twice_are_warned_about(tmp_path, caplog):
    folder = write_files(tmp_path / "tiny", {f"{i}.png": png_bytes(np.full((1, 1), i, np.uint8)) for i in range(4)})
    folder = write_files(folder, {"big.png": png_bytes(np.zeros((40, 40), np.uint8))})
    with caplog.at_level("WARNING", logger="zerosum"):
        data = load_dataset(DataConfig(name=str(folder), size=32))
    assert "4 of 5 images of tiny (the smallest 1×1) are upscaled more than 2× to 32×32" in caplog.text
    assert upscale_warning(load_dataset(DataConfig(name=str(folder), size=2))) is None
    assert data.shape == (1, 32, 32)


def test_a_data_root_that_does_not_exist_is_an_error(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    args = ["train", "--preset", "demo", "--data-root", str(missing), "--out", str(tmp_path / "r")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"--data-root {missing} does not exist" in err and err.count("\n") == 1
    assert not (tmp_path / "r").exists()
    assert main(["data", "--data-root", str(missing)]) == 2
    with pytest.raises(zerosum.DataError, match="does not exist"):
        load_dataset(DataConfig(name="mnist", root=str(missing)))
