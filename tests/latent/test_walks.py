import json

import numpy as np
import pytest
import torch
from PIL import Image

import zerosum
from zerosum.errors import ConfigError
from zerosum.latent.interpolate import seed_z
from zerosum.latent.sheet import GAP, STRIP
from zerosum.latent.walks import explore_interpolation


@pytest.fixture(scope="module")
def run(tiny_run):
    return zerosum.load_run(tiny_run)


def test_pairs_picture_gif_and_neighbours(run, tmp_path):
    refs = torch.randint(0, 256, (30, 1, 16, 16), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    rec = explore_interpolation(
        run, steps=5, pairs=3, seed=2, gif=True, neighbours=2, references=refs, out=tmp_path / "w.png"
    )
    assert rec["images"] == 15 and rec["kind"] == "pairs"
    for name in ("w.png", "w.json", "w.gif", "w_neighbours.png"):
        assert (tmp_path / name).is_file(), name
    gif = Image.open(tmp_path / "w.gif")
    assert gif.n_frames == 2 * 5 - 2 and gif.size[1] >= 128  # forth and back; images scaled up
    saved = json.loads((tmp_path / "w.json").read_text())
    nb = saved["neighbours"]
    assert nb["k"] == 2 and nb["references"] == 30 and nb["source"] == "given images"
    assert len(nb["dists"]) == 15 and nb["nn_mean"] > 0 and nb["train_nn_median"] > 0


def test_seeds_rows_end_at_the_seeds_images(run, tmp_path):
    rec = explore_interpolation(run, steps=4, seeds=[1, 2, 3, 4], mode="slerp", out=tmp_path / "s.png")
    assert rec["kind"] == "seeds" and rec["images"] == 8
    assert torch.equal(torch.as_tensor(rec["z_endpoints"]), seed_z(run, [1, 2, 3, 4]).reshape(2, 2, -1))


def test_through_walk_has_one_row_per_segment(run, tmp_path):
    rec = explore_interpolation(run, steps=4, through=[5, 6, 7], gif=True, out=tmp_path / "t.png")
    assert rec["kind"] == "through" and rec["images"] == 7
    frames = Image.open(tmp_path / "t.gif").n_frames
    assert frames == 2 * 7 - 2
    height, width = np.asarray(Image.open(tmp_path / "t.png")).shape
    assert height == 2 * (STRIP + 64 + GAP) + GAP and width == 4 * (64 + GAP) + GAP  # 2 segments of 4, 16 px × 4


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"seeds": [1, 2, 3]}, "pairs of seeds"),
        ({"seeds": [1, 2], "pairs": 2}, "one of"),
        ({"through": [1]}, "at least 2"),
        ({"steps": 1}, "--steps"),
    ],
)
def test_bad_requests_write_nothing(run, tmp_path, kwargs, fragment):
    with pytest.raises(ConfigError, match=fragment):
        explore_interpolation(run, out=tmp_path / "x.png", **kwargs)
    assert not any(tmp_path.iterdir())
