"""`zerosum.evaluate`: validated up front, samples shared, one self-describing JSON record per metric."""

import json
import shutil

import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from tests.fake_metrics import fake_metric, mean_pixel
from zerosum.evaluation import eval_path, sample_count
from zerosum.metrics import list_metrics

RECORD_KEYS = {
    "metric",
    "value",
    "higher_is_better",
    "protocol",
    "comparable",
    "dataset",
    "step",
    "checkpoint",
    "seed",
    "seconds",
    "zerosum_version",
    "timestamp",
    "details",
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny 4-step run with checkpoints at steps 2 and 4, copied for each test that changes it."""
    out = tmp_path_factory.mktemp("evaluation") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZEROSUM_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
        zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=4", "train.ckpt_every=2"], out=out)
    return out


@pytest.fixture
def run_dir(trained, tmp_path):
    return shutil.copytree(trained, tmp_path / "run")


@pytest.fixture
def mean_px():
    with fake_metric("mean_px", mean_pixel) as metric:
        yield metric


def test_record_says_what_was_measured_and_how(run_dir, mean_px):
    records = zerosum.evaluate(run_dir, "mean_px", seed=3, device="cpu")
    saved = json.loads(eval_path(run_dir, "mean_px").read_text())
    assert records == {"mean_px": saved}
    assert set(saved) == RECORD_KEYS
    images = zerosum.sample(zerosum.load_run(run_dir), 32, seed=3).images
    assert saved["value"] == pytest.approx(float(((images + 1) / 2).mean()), abs=1e-6)  # tanh range → [0, 1]
    assert saved["metric"] == "mean_px" and saved["higher_is_better"] is True
    assert saved["protocol"] == "test protocol mean_px" and saved["comparable"] == "tests"
    assert saved["dataset"] == "mnist" and saved["step"] == 4 and saved["seed"] == 3
    assert saved["checkpoint"] == "checkpoints/step_00000004.pt"
    assert saved["zerosum_version"] == zerosum.__version__ and saved["timestamp"].endswith("Z")
    assert 0 <= saved["seconds"] < 60
    lo, hi = saved["details"]["range"]
    assert 0 <= lo <= hi <= 1 and saved["details"]["n_fake"] == 32 and sample_count(saved) == 32


def test_seed_and_checkpoint_choose_the_samples(run_dir, mean_px, tmp_path):
    value = {s: zerosum.evaluate(run_dir, ["mean_px"], seed=s)["mean_px"]["value"] for s in (0, 1)}
    assert value[0] != value[1]
    assert zerosum.evaluate(run_dir, ["mean_px"], seed=0)["mean_px"]["value"] == value[0]
    early = zerosum.evaluate(run_dir, "mean_px", checkpoint="step_00000002.pt")["mean_px"]
    assert early["step"] == 2 and early["checkpoint"] == "checkpoints/step_00000002.pt"
    outside = shutil.copy(run_dir / "checkpoints" / "step_00000002.pt", tmp_path / "elsewhere.pt")
    assert zerosum.evaluate(run_dir, "mean_px", checkpoint=outside)["mean_px"]["checkpoint"] == str(outside)


def test_metrics_share_one_draw_of_samples(run_dir):
    seen = []

    def spy(ctx):
        seen.append(ctx.samples(16))
        return {"value": 0.0}

    with fake_metric("spy_a", spy), fake_metric("spy_b", spy):
        zerosum.evaluate(run_dir, "spy_a,spy_b")
    assert len(seen) == 2 and seen[0] is seen[1]
    assert seen[0].shape == (16, 1, 16, 16) and not seen[0].is_inference()


def test_values_become_strict_json(run_dir):
    def odd(ctx):
        return {"value": float("nan"), "counts": torch.tensor([1, 2]), "inf": float("inf"), "n_samples": 5}

    with fake_metric("odd", odd):
        record = zerosum.evaluate(run_dir, "odd")["odd"]
    text = eval_path(run_dir, "odd").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert record["value"] is None and record["details"] == {"counts": [1, 2], "inf": None, "n_samples": 5}


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        ("mean_px,nope", "unknown metric 'nope'"),
        ("mean_px,ring_only", "not for 'mnist'"),
        (" , ", "no metric named"),
    ],
)
def test_bad_names_fail_before_anything_is_written(run_dir, mean_px, names, fragment):
    ring_only = fake_metric("ring_only", mean_pixel, datasets=("ring-8",))
    with ring_only, pytest.raises(zerosum.ConfigError, match=fragment) as err:
        zerosum.evaluate(run_dir, names)
    assert "\n" not in str(err.value)
    assert not (run_dir / "eval").exists()


def test_missing_best_and_missing_run_are_clear(run_dir, mean_px, tmp_path):
    with pytest.raises(zerosum.CheckpointError, match="no checkpoints/best.pt.*eval.every"):
        zerosum.evaluate(run_dir, "mean_px", checkpoint="best")
    with pytest.raises(zerosum.CheckpointError, match="not a zerosum run directory"):
        zerosum.evaluate(tmp_path / "nothing", "mean_px")
    assert not (run_dir / "eval").exists()


def test_point_runs_are_measured_as_points(tmp_path):
    out = tmp_path / "ring"
    zerosum.train("ring-8", overrides=["train.steps=2", "train.tensorboard=false", "train.progress=false"], out=out)
    seen = []

    def spy(ctx):
        seen.append(ctx.samples(50))
        return {"value": float(seen[-1].abs().max())}

    with fake_metric("spy", spy, datasets=("ring-8",)):
        zerosum.evaluate(out, "spy", seed=2)
    assert torch.equal(seen[0], zerosum.sample(zerosum.load_run(out), 50, seed=2).images)


def test_list_metrics_is_the_registry_by_name():
    names = [m.name for m in list_metrics()]
    assert names == sorted(names) and {"fd_lenet", "confident_lenet"} <= set(names)


def test_a_real_protocol_end_to_end_from_the_command_line(tmp_path, capsys):
    """ring-8 for 20 steps, then `zerosum evaluate` with the registered modes_ring8 protocol (2,500 points)."""
    from zerosum.cli import main

    out = tmp_path / "ring"
    quiet = ["train.steps=20", "train.tensorboard=false", "train.progress=false", "data.params.n=2000"]
    zerosum.train("ring-8", overrides=quiet, out=out)
    assert main(["evaluate", str(out), "--metrics", "modes_ring8"]) == 0
    record = json.loads(eval_path(out, "modes_ring8").read_text())
    assert record["step"] == 20 and record["details"]["n_samples"] == 2500 and record["details"]["n_modes"] == 8
    assert 0 <= record["value"] <= 8 and 0.0 <= record["details"]["high_quality"] <= 1.0
    assert "modes_ring8" in capsys.readouterr().out


def test_evaluate_takes_a_run_or_its_path_like_sample(run_dir, mean_px, tmp_path):
    from zerosum.export import export_generator

    by_path = zerosum.evaluate(run_dir, "mean_px", seed=5)["mean_px"]
    run = zerosum.load_run(run_dir, "step_00000002.pt")
    by_run = zerosum.evaluate(run, "mean_px", seed=5)["mean_px"]
    assert by_run["step"] == 2 and by_run["checkpoint"] == "checkpoints/step_00000002.pt"
    assert by_run["value"] == zerosum.evaluate(run_dir, "mean_px", "step_00000002.pt", seed=5)["mean_px"]["value"]
    assert by_run["value"] != by_path["value"]
    with pytest.raises(zerosum.ConfigError, match="loaded already"):
        zerosum.evaluate(run, "mean_px", checkpoint="latest")
    with pytest.raises(zerosum.ConfigError, match="unknown metric"):
        zerosum.evaluate(run, "nope")
    export = export_generator(zerosum.load_run(run_dir), tmp_path / "export")
    from_export = zerosum.evaluate(export, "mean_px", seed=5)["mean_px"]
    assert from_export["value"] == pytest.approx(by_path["value"]) and (export / "eval" / "mean_px.json").is_file()


def test_the_feature_backend_reaches_the_protocols_and_a_bad_one_fails_first(run_dir):
    seen: list[str] = []

    def spy(ctx) -> dict:
        seen.append(ctx.backend)
        return {"value": 1.0}

    with fake_metric("spy", spy):
        zerosum.evaluate(run_dir, "spy", backend="torch")
        assert seen == ["torch"]
        with pytest.raises(zerosum.ConfigError, match="unknown feature backend 'tensorrt'; choose one of auto"):
            zerosum.evaluate(run_dir, "spy", backend="tensorrt")
    assert seen == ["torch"]
