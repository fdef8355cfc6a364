import numpy as np
import pytest
import torch

import zerosum
from zerosum.cli import main
from zerosum.errors import ConfigError
from zerosum.latent.sheet import (
    GAP,
    STRIP,
    cell_scale,
    check_ids,
    labelled_rows,
    load_sheet,
    numbered_grid,
    save_sheet,
    upscale,
)
from zerosum.sampling import generate


def test_cells_scale_up_small_images_with_whole_pixels():
    assert cell_scale(28) == 2 and cell_scale(16) == 4 and cell_scale(64) == 1
    x = torch.arange(4, dtype=torch.uint8).reshape(1, 1, 2, 2)
    big = upscale(x, 3)
    assert big.shape == (1, 1, 6, 6) and torch.equal(big[0, 0, :3, :3], torch.zeros(3, 3, dtype=torch.uint8))


def test_numbered_grid_places_each_image_under_its_number():
    images = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    grid = numbered_grid(images, nrow=3)
    cell = 28 * 2
    assert grid.shape == (2 * (STRIP + cell + GAP) + GAP, 3 * (cell + GAP) + GAP)
    # cell 4 (row 1, column 1): its strip holds dark text, its image the upscaled pixels
    top, left = GAP + (STRIP + cell + GAP), GAP + (cell + GAP)
    strip = grid[top : top + STRIP, left : left + cell]
    assert strip.min() < 128 and strip.max() == 255
    expected = upscale(zerosum.images.to_uint8(images[4]), 2)[0].numpy()
    assert np.array_equal(grid[top + STRIP : top + STRIP + cell, left : left + cell], expected)


def test_labelled_rows_colour_blanks_and_ragged_rows():
    rgb = torch.zeros(3, 3, 32, 32, dtype=torch.uint8)
    pic = labelled_rows([[(rgb[0], "a"), (None, "")], [(rgb[1], "b"), (rgb[2], "c"), (rgb[0], "d")]])
    assert pic.shape == (2 * (STRIP + 64 + GAP) + GAP, 3 * (64 + GAP) + GAP, 3)
    blank = pic[GAP + STRIP : GAP + STRIP + 64, GAP + 64 + GAP :][:, :64]
    assert (blank == 255).all()  # the None cell stays white
    with pytest.raises(ValueError, match="one shape"):
        labelled_rows([[(rgb[0], "a"), (torch.zeros(3, 16, 16, dtype=torch.uint8), "b")]])


def test_saved_sheet_z_regenerates_the_same_images(tiny_run, tmp_path):
    run = zerosum.load_run(tiny_run)
    samples = zerosum.sample(run, 12, seed=4)
    png, npz = save_sheet(samples, tmp_path / "sheet.png", nrow=4)
    assert png.is_file() and npz == tmp_path / "sheet.npz"
    z = load_sheet(npz, nz=run.generator.nz)
    assert torch.equal(z, samples.z)
    again = zerosum.images.to_uint8(generate(run, z), run.generator.output_range)
    assert np.array_equal(again.numpy(), np.load(npz)["images"])


def test_load_sheet_errors_are_one_line(tmp_path):
    with pytest.raises(ConfigError, match="not found; make one with `zerosum sample RUN --numbered`"):
        load_sheet(tmp_path / "none.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="cannot read sheet"):
        load_sheet(tmp_path / "junk.npz")
    np.savez(tmp_path / "noz.npz", images=np.zeros((2, 1, 4, 4), np.uint8))
    with pytest.raises(ConfigError, match="holds no z"):
        load_sheet(tmp_path / "noz.npz")
    np.savez(tmp_path / "other.npz", z=np.zeros((5, 7), np.float32))
    with pytest.raises(ConfigError, match="size 7 but this run's generator takes 8") as err:
        load_sheet(tmp_path / "other.npz", nz=8)
    assert "\n" not in str(err.value)


def test_check_ids_names_the_valid_range():
    assert check_ids([0, 4], 5, "--a") == [0, 4]
    with pytest.raises(ConfigError, match=r"--a 5,-1: ids must lie in 0\.\.4 \(the sheet has 5 samples\)"):
        check_ids([2, 5, -1], 5, "--a")


def test_sample_numbered_writes_the_sheet_and_its_z(tiny_run, tmp_path, capsys):
    out = tmp_path / "s" / "sheet.png"
    assert main(["sample", str(tiny_run), "--n", "10", "--seed", "2", "--numbered", "--out", str(out)]) == 0
    assert out.is_file() and "sheet.npz" in capsys.readouterr().out
    saved = np.load(out.with_suffix(".npz"))
    run = zerosum.load_run(tiny_run)
    assert np.array_equal(saved["z"], zerosum.sample(run, 10, seed=2).z.numpy())
