"""dcgan-ablation on tiny runs: one row per variant, judged against the baseline, with scripted metric values."""

from __future__ import annotations

import json

import pytest

import zerosum.reproduce.ablation as ablation
from tests.fake_metrics import Scripted, fake_metric, mean_pixel
from zerosum.errors import ConfigError
from zerosum.reproduce import reproduce

TINY = ["data.limit=256", "data.size=16", "model.ngf=8", "model.ndf=8", "model.nz=8", "train.batch_size=16",
        "train.sample_every=1000", "train.ema=0"]  # fmt: skip


def test_variants_rows_against_the_baseline(tmp_path, monkeypatch):
    monkeypatch.setitem(ablation.VARIANTS, "bogus", ("a change this version lacks", "—", ("model.no_such_key=1",)))
    fd = Scripted([5.0, 7.0, 4.0])  # baseline, lr-1e-3, no-batchnorm in the order they are trained
    params = {"steps": 3, "variants": ["lr-1e-3", "baseline", "no-batchnorm", "bogus"], "base": TINY,
              "metrics": ["fake_fd", "fake_pixel"]}  # fmt: skip
    with fake_metric("fake_fd", fd, higher_is_better=False), fake_metric("fake_pixel", mean_pixel):
        reproduce(
            "dcgan-ablation",
            "fast",
            params=params,
            out=tmp_path / "runs",
            docs=tmp_path / "docs",
            force=True,
            quiet=True,
        )
    budget = json.loads((tmp_path / "docs/results/dcgan-ablation.json").read_text())["budgets"]["fast"]
    rows = {r["metric"]: r for r in budget["rows"]}
    base, lr = rows[ablation.VARIANTS["baseline"][0]], rows["lr = 1e-3 (G and D)"]
    no_bn = rows["no BatchNorm (G and D)"]
    assert (base["value"], base["met"], base["anchor"]) == ("5.00", None, "the paper's defaults")
    assert (lr["value"], lr["met"], no_bn["value"], no_bn["met"]) == ("7.00", True, "4.00", False)
    assert lr["note"].startswith("fake_pixel 0.") and lr["anchor"] == "paper: too high"
    bogus = rows["a change this version lacks"]
    assert bogus["value"] == "not run" and bogus["met"] is None and "no_such_key" in bogus["note"]
    assert "β1 = 0.9" not in rows and fd.calls == 3
    assert "Not run, as this version cannot express them: bogus" in budget["text"]
    assert "batch_norm: false" in (tmp_path / "runs/fast/dcgan-ablation/no-batchnorm/config.yaml").read_text()
    assert (tmp_path / "docs/results/dcgan-ablation/fast-variants.png").stat().st_size > 1000


def test_variant_list_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="unknown"):
        reproduce(
            "dcgan-ablation", params={"variants": ["baseline", "beta1-0.8"]}, out=tmp_path, docs=tmp_path, force=True
        )
    with pytest.raises(ConfigError, match="must include baseline"):
        reproduce("dcgan-ablation", params={"variants": ["lr-1e-3"]}, out=tmp_path, docs=tmp_path, force=True)
