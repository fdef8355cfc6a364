"""srgan-faces and pix2pix-shapes end to end on tiny budgets: the rows, the figures and the pages."""

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
    assert rows["photo → mask mean IoU, cGAN + L1"]["target"] == "≥ 0.90"
    assert " / " in rows["mask → photo segmenter score (generated / real)"]["value"]
    config = (tmp_path / "runs/fast/pix2pix-shapes/photo-to-mask-l1/config.yaml").read_text()
    assert "adv_weight: 0.0" in config
    for name in ("cgan.png", "l1.png", "photo.png"):
        assert (tmp_path / "docs/results/pix2pix-shapes" / f"fast-{name}").is_file()
