"""dcgan-ablation on tiny runs: two seeds per variant, judged against the baseline's spread, with curves."""

from __future__ import annotations

import json

import pytest

import zerosum.reproduce.ablation as ablation
from tests.fake_metrics import Scripted, fake_metric, mean_pixel
from zerosum.errors import ConfigError
from zerosum.reproduce import reproduce

TINY = ["data.limit=256", "data.size=16", "model.ngf=8", "model.ndf=8", "model.nz=8", "train.batch_size=16",
        "train.sample_every=1000", "train.ema=0"]  # fmt: skip


def _script(finals: list[float]) -> list[float]:
    """The values in the order asked: every run trains first (its curve at steps 2 and 4), then each final
    checkpoint is scored. A final 5.0 has a flat curve (5.2 → 5.0); every other run halves between its points."""
    curves = [[5.2, 5.0] if final == 5.0 else [2 * final, final] for final in finals]
    return [v for curve in curves for v in curve] + list(finals)


def test_variants_rows_against_the_baseline(tmp_path, monkeypatch):
    monkeypatch.setitem(ablation.VARIANTS, "bogus", ("a change this version lacks", "—", ("model.no_such_key=1",)))
    # training order: baseline, then the variants as listed (bogus is skipped); seeds 0 then 1 of each
    fd = Scripted(_script([5.0, 6.0, 7.0, 8.0, 4.0, 5.0, 5.5, 7.0]))
    params = {
        "steps": 4,
        "seeds": 2,
        "eval_every": 2,
        "variants": ["lr-1e-3", "baseline", "no-batchnorm", "bogus", "beta1-0.9"],
        "base": TINY,
        "metrics": ["fake_fd", "fake_pixel"],
        "workers": 1,
    }  # fmt: skip  (spawned workers would not see the fake metrics)
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
    base, beta = rows[ablation.VARIANTS["baseline"][0]], rows["β1 = 0.9"]
    lr, no_bn = rows["lr = 1e-3 (G and D)"], rows["no BatchNorm (G and D)"]
    assert (base["value"], base["met"], base["anchor"]) == ("5.50 (mean of 2 seeds)", None, "the paper's defaults")
    assert base["note"].startswith("seed 0: fake_fd 5.00, fake_pixel 0.") and "seed 1: fake_fd 6.00" in base["note"]
    assert (lr["value"], lr["met"], lr["anchor"]) == ("7.50 (mean of 2 seeds)", True, "paper: too high")
    assert lr["note"].startswith("worse: every seed") and "-50% over the last quarter" in lr["note"]
    assert (beta["met"], no_bn["met"]) == (False, False)  # β1: mean worse, but 5.5 is inside the baseline's 5–6
    assert beta["note"].startswith("not clearly worse") and no_bn["note"].startswith("not worse")
    bogus = rows["a change this version lacks"]
    assert bogus["value"] == "not run" and bogus["met"] is None and "no_such_key" in bogus["note"]
    assert fd.calls == 24 and not fd.values
    assert "Not run, as this version cannot express them: bogus" in budget["text"]
    assert "Not converged: baseline seed 1 (-50% over" in budget["text"] and "baseline seed 0" not in budget["text"]
    runs = tmp_path / "runs/fast/dcgan-ablation"
    assert ablation.read_curve(runs / "baseline-seed1", "fake_fd") == [(2, 12.0), (4, 6.0)]
    assert "batch_norm: false" in (runs / "no-batchnorm-seed1/config.yaml").read_text()
    assert "seed: 1" in (runs / "lr-1e-3-seed1/config.yaml").read_text()
    for figure in ("fast-variants.png", "fast-curves.png"):
        assert (tmp_path / "docs/results/dcgan-ablation" / figure).stat().st_size > 1000


@pytest.mark.parametrize(
    ("variant", "worse", "why"),
    [
        ([7.0, 8.0], True, "worse"),
        ([5.5, 7.0], False, "not clearly worse"),
        ([4.0, 5.0], False, "not worse"),
        ([None, 9.0], True, "a seed gave no value"),
    ],
)
def test_verdict_needs_the_seeds_apart(variant, worse, why):
    assert ablation.verdict(variant, [5.0, 6.0], higher_is_better=False)[0] is worse
    assert ablation.verdict(variant, [5.0, 6.0], higher_is_better=False)[1].startswith(why)
    flipped = [None if v is None else -v for v in variant]
    assert ablation.verdict(flipped, [-5.0, -6.0], higher_is_better=True)[0] is worse


def test_settled_is_the_change_over_the_last_quarter():
    curve = [(250, 40.0), (500, 20.0), (750, 10.0), (1000, 9.5)]
    assert ablation.settled(curve) == pytest.approx(-0.05) and ablation.levelled(curve)
    falling = [(500, 20.0), (1500, 10.0), (1750, 9.2), (2000, 8.5)]  # −8% a step, −15% since step 1500
    assert ablation.settled(falling) == pytest.approx(-0.15) and not ablation.levelled(falling)
    assert ablation.settled([(1, 10.0)]) is None and not ablation.levelled([])


def test_variant_list_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="unknown"):
        reproduce(
            "dcgan-ablation", params={"variants": ["baseline", "beta1-0.8"]}, out=tmp_path, docs=tmp_path, force=True
        )
    with pytest.raises(ConfigError, match="must include baseline"):
        reproduce("dcgan-ablation", params={"variants": ["lr-1e-3"]}, out=tmp_path, docs=tmp_path, force=True)
