"""dcgan-mnist / -fashion / -cifar10 end to end on tiny runs, with cheap stand-ins for the Inception protocols."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

import zerosum.reproduce.fid_tables as fid_tables
from tests.fake_metrics import Scripted, fake_metric, mean_pixel
from zerosum.config import DataConfig, resolve
from zerosum.errors import ConfigError
from zerosum.metrics.registry import REGISTRY
from zerosum.reproduce import reproduce

TINY = ["data.limit=256", "data.size=16", "model.ngf=8", "model.ndf=8", "model.nz=8", "train.sample_every=1000"]


def _swap(monkeypatch, name: str, values: list[float]) -> Scripted:
    """Replace an Inception protocol by a scripted one, so no Inception network is needed."""
    scripted = Scripted(values)
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(REGISTRY[name], compute=scripted))
    return scripted


def _record(tmp_path, name: str) -> dict:
    return json.loads((tmp_path / f"docs/results/{name}.json").read_text())["budgets"]


def test_mnist_fast_then_paper_rows_text_and_figure(tmp_path, monkeypatch):
    _swap(monkeypatch, "fid2k_test", [3.0])
    _swap(monkeypatch, "fid10k_test", [5.5])
    dirs = {"out": tmp_path / "runs", "docs": tmp_path / "docs", "quiet": True}
    with fake_metric("mean_pixel_fid_tables", mean_pixel):
        fast = {"steps": 4, "overrides": TINY, "extras": ["mean_pixel_fid_tables"]}
        page = reproduce("dcgan-mnist", "fast", params=fast, force=True, **dirs)
        paper = {"steps": 3, "overrides": TINY, "extras": ["mean_pixel_fid_tables"]}
        reproduce("dcgan-mnist", "paper", params=paper, force=True, **dirs)
    budgets = _record(tmp_path, "dcgan-mnist")
    fid2k, extra = budgets["fast"]["rows"]
    assert "fid2k_test" in fid2k["metric"] and fid2k["value"] == "3.00" and fid2k["met"] is None
    assert "not comparable" in fid2k["note"] and fid2k["anchor"].startswith("6.8 (Lucic")
    assert extra["metric"] == "`mean_pixel_fid_tables`" and 0 < float(extra["value"]) < 1 and extra["met"] is None
    text = budgets["fast"]["text"]
    assert "4 steps with the `demo` recipe" in text and "R1 γ = 1 every 4 steps" in text and "ngf = 8" in text
    assert "below 6.8" in text  # 3.0 < 6.8, even biased upwards
    assert "for the first time" in text  # the isolated cache holds no Inception features
    assert (tmp_path / "docs/results/dcgan-mnist/fast-samples.png").stat().st_size > 100
    fid10k = budgets["paper"]["rows"][0]
    assert fid10k["target"] == "≤ 5" and fid10k["value"] == "5.50" and fid10k["met"] is False
    assert "19% below the anchor's 6.8; the target ≤ 5 is missed" in budgets["paper"]["text"]
    assert "Adam lr 0.0002 (G) / 0.0002 (D), β = (0.5, 0.999)" in budgets["paper"]["text"]
    assert "## Budget `fast`" in page.read_text() and "## Budget `paper`" in page.read_text()


def test_cifar10_fast_has_no_target_and_says_jpeg(tmp_path, data_root):
    params = {"steps": 2, "overrides": TINY, "metric": "mean_pixel_cifar", "extras": []}
    with fake_metric("mean_pixel_cifar", mean_pixel):
        reproduce(
            "dcgan-cifar10",
            "fast",
            params=params,
            out=tmp_path / "runs",
            docs=tmp_path / "docs",
            force=True,
            quiet=True,
        )
    [row] = _record(tmp_path, "dcgan-cifar10")["fast"]["rows"]
    assert row["met"] is None and row["target"] == "—" and "JPEG re-encoded, indicative only" in row["note"]
    assert row["anchor"] == "37.7 (DCGAN, TTUR paper); 49.0 (StudioGAN DCGAN)"


def test_inception_cached_follows_the_cache_file():
    from zerosum.metrics.fid import EXTRACTOR
    from zerosum.metrics.reference import cache_path, fingerprint, real_images

    data = DataConfig(name="mnist", size=28, channels=1)
    assert not fid_tables.inception_cached(data)
    path = cache_path(EXTRACTOR, "mnist", "test", fingerprint(real_images(data, "test")))
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({}, path)
    try:
        assert fid_tables.inception_cached(data)
    finally:
        path.unlink()


def test_recipes_formatting_and_description():
    with pytest.raises(ConfigError, match="not a recipe"):
        fid_tables.recipe("fastest")
    cfg = resolve("dcgan-mnist", fid_tables.recipe("demo"))
    assert (cfg.train.lr_g, cfg.train.betas, cfg.train.batch_size, cfg.train.ema) == (2e-3, (0.0, 0.99), 64, 0.995)
    assert "lr annealed linearly to 0 over the whole run" in fid_tables.describe(cfg)
    assert "no EMA" in fid_tables.describe(resolve("dcgan-stacked-mnist", ["model.pack=2"]))
    values = (1000, 123.456, 6.789, 0.01234, None)
    assert [fid_tables.fmt(v) for v in values] == ["1,000", "123.5", "6.79", "0.012", "n/a"]
