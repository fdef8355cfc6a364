"""ring-8 / grid-25: one run per seed, rows over seeds (mean and worst), the recipe named on the page."""

from __future__ import annotations

import json

import pytest

from zerosum.reproduce import reproduce


@pytest.mark.parametrize("name,k", [("ring-8", 8), ("grid-25", 25)])
def test_coverage_over_seeds(tmp_path, name, k):
    params = {"seeds": 2, "steps": 20, "recipe": ["model.pack=2", "train.sample_every=1000"]}
    reproduce(name, "fast", params=params, out=tmp_path / "runs", docs=tmp_path / "docs", force=True, quiet=True)
    record = json.loads((tmp_path / f"docs/results/{name}.json").read_text())["budgets"]["fast"]
    runs = sorted(p.name for p in (tmp_path / "runs/fast" / name).iterdir() if p.name.startswith("seed"))
    assert runs == ["seed0", "seed1"]
    per_seed = []
    for run in runs:
        details = json.loads((tmp_path / "runs/fast" / name / run / "eval" / f"modes_{name.replace('-', '')}.json")
                             .read_text())  # fmt: skip
        per_seed.append(details["value"])
        assert "pack: 2" in (tmp_path / "runs/fast" / name / run / "config.yaml").read_text()
    modes_row = record["rows"][0]
    assert modes_row["value"] == f"{sum(per_seed) / 2:.2f}; {min(per_seed)}"
    assert modes_row["met"] == (min(per_seed) == k)
    assert "`model.pack=2`" in record["text"] and "seed 1:" in record["text"]
    assert (tmp_path / f"docs/results/{name}/fast-{name}.png").is_file()


def test_recipe_is_named_by_technique_on_the_page():
    from zerosum.reproduce.catalogue import MIXTURE_RECIPE, RING_RECIPE
    from zerosum.reproduce.mixtures import _technique

    assert _technique("model.pack=4") == "PacGAN packing of 4 samples per D input (`model.pack=4`)"
    assert _technique("train.lr_anneal_from=0.5").startswith("lr annealed linearly to 0 from 50% of the run")
    assert _technique("train.sample_every=1000") == "`train.sample_every=1000`"  # no phrase: shown as written
    assert _technique("train.lr_anneal_from=[1]") == "`train.lr_anneal_from=[1]`"  # unformattable value
    assert all(not _technique(o).startswith("`") for o in [*MIXTURE_RECIPE, *RING_RECIPE])  # named in full
    assert _technique("train.betas=[0.5, 0.999]").startswith("Adam β = (0.5, 0.999)")
    assert _technique("train.lr_g=1e-3") == "Adam lr 0.001 for G (`train.lr_g=1e-3`)"  # YAML 1.1 reads text


def test_pacgan_preset_with_rejection_named_on_the_page(tmp_path):
    recipe = ["model.g_hidden=[16,16]", "model.d_hidden=[8,8]", "train.batch_size=40", "sample.rejection=drs",
              "sample.drs_burn_in=200", "train.sample_every=1000"]  # fmt: skip
    params = {"seeds": 2, "steps": 5, "recipe": recipe, "preset": "pacgan-ring8", "workers": 2}
    reproduce("ring-8", "fast", params=params, out=tmp_path / "runs", docs=tmp_path / "docs", force=True, quiet=True)
    record = json.loads((tmp_path / "docs/results/ring-8.json").read_text())["budgets"]["fast"]
    assert "runs of the `pacgan-ring8` preset" in record["text"]
    assert "discriminator rejection sampling (drs)" in record["text"]
    config = (tmp_path / "runs/fast/ring-8/seed1/config.yaml").read_text()
    assert "g_batch_norm: true" in config and "rejection: drs" in config
