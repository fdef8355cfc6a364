"""End to end on the tiny run: images from a dataset or files, every method scored, the table and the picture."""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image

import zerosum
from zerosum.completion.evaluate import (
    METHODS,
    Settings,
    dataset_images,
    evaluate,
    file_images,
    markdown_table,
    record,
    summary,
)
from zerosum.completion.masks import make_mask
from zerosum.completion.picture import draw
from zerosum.errors import ConfigError, DataError
from zerosum.images import save_png


@pytest.fixture(scope="module")
def run(tiny_run):
    return zerosum.load_run(tiny_run)


def test_dataset_slices_are_seeded_and_disjoint(run) -> None:
    a, ids_a = dataset_images(run, "mnist", "test", n=4, seed=0)
    b, ids_b = dataset_images(run, "mnist", "test", n=4, seed=0, offset=4)
    assert a.shape == (4, 1, 16, 16) and a.dtype == torch.uint8
    assert not set(ids_a.tolist()) & set(ids_b.tolist())
    assert torch.equal(dataset_images(run, "mnist", "test", n=4, seed=0)[1], ids_a)
    with pytest.raises(ConfigError, match="more than"):
        dataset_images(run, "mnist", "test", n=20000)


def test_one_bar_counts_the_steps_of_every_search_batch(run, capsys, show_progress) -> None:
    images, _ = dataset_images(run, "mnist", "test", n=3, seed=1)
    evaluate(run, images, make_mask("center", 16, 3), Settings(steps=2, restarts=2, batch=2), baselines=False)
    prefix = "completing 3 image(s) (2 restarts each)"  # two batches (2 + 1 images) of 2 steps each: 4 steps
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("completing")]
    assert [line.split(",")[0] for line in lines] == [f"{prefix}: {k}/4 step" for k in range(1, 5)]
    assert "done in" in lines[-1] and "eta" in lines[0]


def test_file_images_take_the_runs_shape(run, tmp_path) -> None:
    rgb = torch.randint(0, 255, (3, 40, 30), dtype=torch.uint8)
    save_png(tmp_path / "a.png", rgb)
    out = file_images(run, [tmp_path / "a.png"])
    assert out.shape == (1, 1, 16, 16) and out.dtype == torch.uint8
    with pytest.raises(DataError, match="no such file"):
        file_images(run, [tmp_path / "missing.png"])


def test_evaluate_scores_every_method_and_keeps_known_pixels(run, tmp_path) -> None:
    images, _ = dataset_images(run, "mnist", "test", n=3, seed=1)
    known = make_mask("center", 16, 3)
    ev = evaluate(run, images, known, Settings(steps=3, restarts=2, batch=2))  # two search batches
    assert set(ev.outputs) == set(METHODS)
    keep = known.expand_as(ev.original)
    for name, out in ev.outputs.items():
        assert out.shape == ev.original.shape
        if name != "zerosum":  # the chosen blend (poisson) also keeps them; feather would not
            assert torch.equal(out[keep], ev.original[keep]), name
        assert ev.scores[name]["psnr"].shape == (3,) and torch.isfinite(ev.scores[name]["ssim"]).all()
    assert torch.allclose(ev.outputs["zerosum"][keep], ev.original[keep])
    s = summary(ev)
    assert s["mean_fill"]["psnr_mean"] == pytest.approx(ev.scores["mean_fill"]["psnr"].mean().item(), rel=1e-5)
    table = markdown_table([("mnist (tiny)", ev)])
    assert table.count("\n") == 1 + len(METHODS) and "poisson blend" in table
    rec = record(ev, {"mask": "center"})
    assert json.loads(json.dumps(rec))["images"] == 3 and rec["settings"]["restarts"] == 2
    pic = draw(ev, tmp_path / "c.png")
    with Image.open(pic) as im:
        assert im.mode == "RGB" and im.width > 6 * 16 * 6  # six columns of enlarged cells


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="--blend"):
        Settings(blend="alpha").check()
    with pytest.raises(ConfigError, match="--lam"):
        Settings(lam=-1).check()
