"""The verbs and metrics of the image-to-image runs, on tiny runs trained for two steps."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

import zerosum
from zerosum.cli import main

TINY = ["data.params.n=24", "train.batch_size=4", "train.steps=2", "train.tensorboard=false", "train.progress=false"]
P2P = [*TINY, "model.ngf=8", "model.ndf=8"]
SR = [*TINY, "data.name=shapes", "data.channels=null", "data.size=32", "data.pairs.test_classes=[]",
      "model.ngf=8", "model.ndf=8", "model.blocks=1", "model.pixel_steps=1"]  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("translators")
    zerosum.train("pix2pix-shapes", overrides=P2P, out=root / "p2m")
    zerosum.train("pix2pix-shapes-photo", overrides=P2P, out=root / "m2p")
    zerosum.train("srgan-faces", overrides=SR, out=root / "sr")
    return root


def test_the_metrics_of_each_task(runs):
    rec = zerosum.evaluate(runs / "sr", "psnr_y,ssim_y")
    assert rec["psnr_y"]["details"]["n"] == 24 and rec["psnr_y"]["details"]["crop"] == 4
    assert rec["psnr_y"]["details"]["gain"] == pytest.approx(
        rec["psnr_y"]["value"] - rec["psnr_y"]["details"]["bicubic"]
    )
    assert 0 < rec["ssim_y"]["value"] < 1
    seg = zerosum.evaluate(runs / "p2m", "pixel_accuracy,mean_iou")["pixel_accuracy"]
    assert 0 <= seg["value"] <= 1 and seg["details"]["classes"] == ["background", "ellipse", "rectangle", "triangle"]
    assert (runs / "p2m" / "eval" / "mean_iou.json").is_file()


@pytest.mark.parametrize(
    "run, metric, words",
    [("sr", "pixel_accuracy", "measures photo_to_mask runs"), ("p2m", "fd_lenet", "a GAN's samples"),
     ("p2m", "psnr_y", "use pixel_accuracy, mean_iou")],
)  # fmt: skip
def test_a_metric_of_another_kind_of_run_is_refused(runs, run, metric, words):
    with pytest.raises(zerosum.ConfigError, match=words):
        zerosum.evaluate(runs / run, metric)


def test_upscale_of_held_out_pairs_and_of_files(runs, tmp_path):
    rec = zerosum.upscale(runs / "sr", n=3)
    folder = runs / "sr" / "explore" / "upscale"
    assert rec["columns"] == ["input", "bicubic", "output", "target"] and len(rec["images"]) == 3
    saved = json.loads((folder / "upscale.json").read_text())
    assert saved["step"] == 2 and set(saved["mean"]) == {"psnr", "ssim", "psnr_bicubic", "ssim_bicubic"}
    picture = np.asarray(Image.open(folder / "upscale.png"))
    assert picture.shape[1] > 4 * 32  # four columns of 32 px
    photo = tmp_path / "photo.png"
    Image.fromarray((np.random.default_rng(0).random((50, 70, 3)) * 255).astype(np.uint8)).save(photo)
    rec = zerosum.upscale(runs / "sr", images=[photo], out=tmp_path / "up")
    out = Image.open(tmp_path / "up" / "outputs" / rec["images"][0]["output"])
    assert out.size == (32, 32) and rec["source"] == "files"


def test_translate_both_ways_with_masks_from_files(runs, tmp_path):
    rec = zerosum.translate(runs / "p2m", n=4, out=tmp_path / "p2m")
    assert rec["columns"] == ["input", "output", "target"] and "overall" in rec
    mask = Image.open(tmp_path / "p2m" / "outputs" / rec["images"][0]["output"])
    assert mask.mode == "L" and np.asarray(mask).max() < 4
    index = tmp_path / "mask.png"
    grid = np.zeros((32, 32), np.uint8)
    grid[8:20, 8:20] = 2
    Image.fromarray(grid).save(index)
    rec = zerosum.translate(runs / "m2p", images=[index], out=tmp_path / "m2p")
    assert rec["columns"] == ["input", "output"] and rec["images"][0]["output"].endswith(".png")
    coloured = tmp_path / "colour.png"
    Image.fromarray(np.array([[[0, 0, 0], [230, 60, 60]]], np.uint8).repeat(16, 0).repeat(16, 1)).save(coloured)
    assert len(zerosum.translate(runs / "m2p", images=[coloured], out=tmp_path / "c")["images"]) == 1


def test_bad_inputs_are_one_line_errors_exit_2(runs, tmp_path, capsys):
    bad = tmp_path / "bad.png"
    Image.fromarray(np.full((8, 8), 9, np.uint8)).save(bad)
    cases = [
        (["upscale", str(runs / "p2m")], "use zerosum translate"),
        (["translate", str(runs / "sr")], "use zerosum upscale"),
        (["translate", str(runs / "m2p"), "--images", str(bad)], "holds class 9"),
        (["sample", str(runs / "sr")], "image-to-image run"),
        (["interpolate", str(runs / "p2m")], "image-to-image run"),
        (["upscale", str(runs / "sr"), "--n", "0"], "--n 0"),
    ]
    for argv, words in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert words in err and "\n" not in err, (argv, err)
    with pytest.raises(zerosum.ConfigError, match="noise to images"):
        zerosum.sample(runs / "p2m", 4)


def test_training_refuses_a_factor_that_is_not_a_power_of_two(tmp_path, capsys):
    argv = ["train", "--preset", "srgan-faces", "--set", "data.pairs.factor=3", "--out", str(tmp_path / "x")]
    assert main(argv) == 2
    assert "power of two" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_segmenter_score_sets_generated_photos_beside_real_ones(runs, monkeypatch):
    from zerosum.metrics import segmenter

    monkeypatch.setattr(segmenter, "STEPS", 30)  # the protocol's 1,500 steps are for real runs
    rec = zerosum.evaluate(runs / "m2p", "segmenter_score")["segmenter_score"]
    assert 0 <= rec["value"] <= 1 and 0 < rec["details"]["real"] <= 1
    assert rec["details"]["ratio"] == pytest.approx(rec["value"] / rec["details"]["real"])
    again = zerosum.evaluate(runs / "m2p", "segmenter_score")["segmenter_score"]  # from the cache: same number
    assert again["value"] == rec["value"]


def test_a_segmenter_learns_the_shapes():
    import torch.nn.functional as F

    from zerosum.data.shapes import generate
    from zerosum.metrics.segmenter import segment, train_segmenter

    x, m = generate(400, seed=0)
    model = train_segmenter(x[:300], m[:300], 4, steps=120)
    with torch.no_grad():
        held_out = F.cross_entropy(model(x[300:].float() / 255), m[300:].long()).item()
    assert held_out < 0.8  # ln 4 = 1.39 for a segmenter that knows nothing
    assert segment(model, x[300:].float() / 255).shape == (100, 32, 32)
