"""The image-to-image experiments end to end on tiny budgets: the rows, the figures and the pages."""

from __future__ import annotations

import json
import os

import pytest

from zerosum.reproduce import reproduce

TINY_SR = ["model.ngf=8", "model.ndf=8", "model.blocks=1", "train.batch_size=4"]
TINY_P2P = ["model.ngf=8", "model.ndf=8", "train.batch_size=4", "data.params.n=24"]


def _record(docs, name):
    return json.loads((docs / f"results/{name}.json").read_text())["budgets"]["fast"]


def test_srgan_faces_end_to_end(tmp_path, monkeypatch):
    if not os.environ.get("ZEROSUM_DATA"):
        pytest.skip("needs the Olivetti faces because ZEROSUM_DATA is unset")
    from zerosum.metrics import translation

    monkeypatch.setattr(translation, "FID_PAIRS", 12)  # Inception on a dozen images, not 40
    params = {"preset": "srgan-faces", "overrides": TINY_SR, "pixel_steps": 2, "gan_steps": 1, "target_gain": 2.5}
    reproduce("srgan-faces", "fast", params=params, out=tmp_path / "runs", docs=tmp_path / "docs", force=True,
              quiet=True)  # fmt: skip
    record = _record(tmp_path / "docs", "srgan-faces")
    rows = {r["metric"]: r for r in record["rows"]}
    assert rows["PSNR, bicubic (held-out)"]["value"].endswith("dB")
    assert rows["PSNR, SRResNet"]["met"] is False  # three steps do not beat bicubic by 2.5 dB
    assert "40 images of the held-out subjects" in record["text"]
    run = tmp_path / "runs/fast/srgan-faces/srgan"
    assert (run / "checkpoints/step_00000002.pt").is_file()  # the SRResNet checkpoint is kept
    assert (tmp_path / "docs/results/srgan-faces/fast-upscaled.png").is_file()


def test_pix2pix_shapes_end_to_end(tmp_path, monkeypatch):
    from zerosum.metrics import segmenter

    monkeypatch.setattr(segmenter, "STEPS", 10)
    reproduce("pix2pix-shapes", "fast", params={"steps": 2, "overrides": TINY_P2P}, out=tmp_path / "runs",
              docs=tmp_path / "docs", force=True, quiet=True)  # fmt: skip
    record = _record(tmp_path / "docs", "pix2pix-shapes")
    rows = {r["metric"]: r for r in record["rows"]}
    assert rows["photo → mask mean IoU, cGAN + 1000·MSE"]["target"] == "≥ 0.90"  # the fast budget's mask recipe
    assert "photo → mask mean IoU, L1 alone (the paper's pixel loss)" in rows
    assert " / " in rows["mask → photo segmenter score (generated / real)"]["value"]
    runs = tmp_path / "runs/fast/pix2pix-shapes"
    pixel, l1 = (
        (runs / "photo-to-mask-pixel/config.yaml").read_text(),
        (runs / "photo-to-mask-l1/config.yaml").read_text(),
    )
    assert "adv_weight: 0.0" in pixel and "pixel_loss: mse" in pixel
    assert "adv_weight: 0.0" in l1 and "pixel_loss: l1" in l1
    photo = (runs / "mask-to-photo/config.yaml").read_text()
    assert "task: mask_to_photo" in photo and "pixel_weight: 100.0" in photo and "instance_noise: 0.0" in photo
    assert "instance_noise: 0.3" in (runs / "photo-to-mask/config.yaml").read_text()
    for name in ("cgan.png", "pixel.png", "l1.png", "photo.png"):
        assert (tmp_path / "docs/results/pix2pix-shapes" / f"fast-{name}").is_file()


def test_srgan_cifar10_end_to_end(tmp_path, monkeypatch):
    if not os.environ.get("ZEROSUM_DATA"):
        pytest.skip("needs CIFAR-10 because ZEROSUM_DATA is unset")
    from zerosum.metrics import translation

    monkeypatch.setattr(translation, "FID_PAIRS", 12)
    params = {"preset": "srgan-cifar10", "overrides": [*TINY_SR, "data.limit=64"], "pixel_steps": 2, "gan_steps": 1,
              "target_gain": 1.5, "images": "CIFAR-10 images", "held_out": "CIFAR-10's test split"}  # fmt: skip
    reproduce("srgan-cifar10", "fast", params=params, out=tmp_path / "runs", docs=tmp_path / "docs", force=True,
              quiet=True)  # fmt: skip
    record = _record(tmp_path / "docs", "srgan-cifar10")
    rows = {r["metric"]: r for r in record["rows"]}
    assert rows["PSNR, SRResNet"]["target"] == "≥ bicubic + 1.5 dB"
    assert "of CIFAR-10's test split, on the luminance (Y of BT.601)" in record["text"]
    figures = json.loads((tmp_path / "docs/results/srgan-cifar10.json").read_text())
    assert (tmp_path / "docs/results/srgan-cifar10/fast-upscaled.png").is_file(), figures


def test_srgan_mnist_variants_share_the_srresnet(tmp_path):
    if not os.environ.get("ZEROSUM_DATA"):
        pytest.skip("needs MNIST because ZEROSUM_DATA is unset")
    params = {"preset": "srgan-mnist", "overrides": [*TINY_SR, "data.limit=64"], "pixel_steps": 2, "gan_steps": 1,
              "perceptual": "fd_lenet_pairs", "perceptual_target": False, "images": "MNIST digits",
              "held_out": "MNIST's test split",
              "variants": [["d", "SRGAN + D features", ["model.feature_loss=d"]]]}  # fmt: skip
    reproduce("srgan-mnist", "fast", params=params, out=tmp_path / "runs", docs=tmp_path / "docs", force=True,
              quiet=True)  # fmt: skip
    record = _record(tmp_path / "docs", "srgan-mnist")
    rows = {r["metric"]: r for r in record["rows"]}
    assert rows["PSNR, SRResNet"]["target"] == "—" and rows["PSNR, SRResNet"]["met"] is None  # no MNIST target
    perceptual = rows["Fréchet distance in LeNet features of upscaled held-out images, bicubic / SRResNet / SRGAN"]
    assert perceptual["met"] is None
    variant = rows["PSNR / SSIM / Fréchet distance in LeNet features of upscaled held-out images, SRGAN + D features"]
    assert variant["value"].count(" / ") == 2
    assert "holds the same weights as the base run's, bit for bit" in record["text"]
    config = (tmp_path / "runs/fast/srgan-mnist/srgan-d/config.yaml").read_text()
    assert "feature_loss: d" in config
    assert (tmp_path / "docs/results/srgan-mnist/fast-upscaled.png").is_file()


def test_pix2pix_fashion_end_to_end(tmp_path):
    if not os.environ.get("ZEROSUM_DATA"):
        pytest.skip("needs Fashion-MNIST because ZEROSUM_DATA is unset")
    over = ["model.ngf=8", "model.ndf=8", "train.batch_size=4", "data.limit=64"]
    reproduce("pix2pix-fashion", "fast", params={"steps": 2, "overrides": over}, out=tmp_path / "runs",
              docs=tmp_path / "docs", force=True, quiet=True)  # fmt: skip
    record = _record(tmp_path / "docs", "pix2pix-fashion")
    rows = {r["metric"]: r for r in record["rows"]}
    iou = rows["silhouette → garment, silhouette IoU, cGAN + 100·L1 / L1 alone"]["value"].split(" / ")
    assert all(0 <= float(v) <= 1 for v in iou)
    assert "brighter than 16 of 255" in record["text"]
    assert "adv_weight: 0.0" in (tmp_path / "runs/fast/pix2pix-fashion/mask-to-photo-l1/config.yaml").read_text()
    for name in ("cgan.png", "l1.png"):
        assert (tmp_path / "docs/results/pix2pix-fashion" / f"fast-{name}").is_file()
