"""dcgan-faces: the memorisation numbers on sets with a known answer, and the experiment end to end on the Olivetti
faces (needs ZEROSUM_DATA)."""

from __future__ import annotations

import json
import os

import pytest
import torch

from zerosum.reproduce import reproduce
from zerosum.reproduce.faces import memorisation


def test_memorisation_tells_copies_from_new_images():
    gen = torch.Generator().manual_seed(2)
    train = torch.rand(50, 1, 8, 8, generator=gen)
    copies = memorisation(train[torch.arange(200) % 50], train)
    assert copies["ratio"] == pytest.approx(0, abs=1e-3) and copies["below_min"] == 1.0
    fresh = memorisation(torch.rand(200, 1, 8, 8, generator=gen), train)  # drawn like the training set
    assert 0.8 < fresh["ratio"] < 1.25 and fresh["below_min"] < 0.1
    assert fresh["index"].shape == (200, 3) and (fresh["dists"].diff(dim=1) >= 0).all()


def test_dcgan_faces_end_to_end(tmp_path):
    if not os.environ.get("ZEROSUM_DATA"):
        pytest.skip("needs the Olivetti faces because ZEROSUM_DATA is unset")
    params = {"steps": 3, "ngf": 8, "ndf": 8, "samples": 40}
    reproduce(
        "dcgan-faces", "fast", params=params, out=tmp_path / "runs", docs=tmp_path / "docs", force=True, quiet=True
    )
    record = json.loads((tmp_path / "docs/results/dcgan-faces.json").read_text())["budgets"]["fast"]
    ratio_row, share_row = record["rows"]
    assert ratio_row["met"] is None and share_row["met"] is None
    assert 0 < float(ratio_row["value"]) < 100 and share_row["value"].endswith("%")
    assert "40 samples" in ratio_row["note"] and "400 Olivetti faces" in record["text"]
    config = (tmp_path / "runs/fast/dcgan-faces/dcgan-faces/config.yaml").read_text()
    assert "ngf: 8" in config and "size: 64" in config
    for name in ("samples.png", "neighbours.png", "distances.png"):
        assert (tmp_path / "docs/results/dcgan-faces" / f"fast-{name}").stat().st_size > 1000
