"""Evaluation during training: checked before the run exists, best.pt only on improvement (also across a resume),
and no effect at all on the training itself."""

import json
import random

import numpy as np
import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from tests.fake_metrics import Scripted, fake_metric, mean_pixel
from zerosum.config import resolve
from zerosum.evaluation import eval_path
from zerosum.training import checkpoint
from zerosum.training.evaluator import BEST_JSON, improves, read_best

SIX = [*TINY_DCGAN, "train.steps=6"]


def _rows(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (["eval.every=2"], "eval.metrics is empty"),
        (["eval.every=2", "eval.metrics=[nope]"], "eval.metrics: unknown metric 'nope'"),
        (["eval.every=2", "eval.metrics=ring_only"], "eval.metrics: metric ring_only is defined for ring-8"),
        (["eval.every=2", "eval.metrics=[mean_px]", "eval.best=ring_only"], "eval.best=ring_only is not among"),
        (["eval.every=-1"], "eval.every"),
        (["eval.every=2", "eval.metrics=fd_lenet"], "needs 28×28 gray samples but this run makes 16×16 gray"),
    ],
)
def test_bad_eval_config_stops_before_the_run_dir_exists(tmp_path, overrides, fragment):
    out = tmp_path / "never"
    fakes = fake_metric("mean_px", mean_pixel), fake_metric("ring_only", mean_pixel, datasets=("ring-8",))
    with fakes[0], fakes[1], pytest.raises(zerosum.ConfigError, match=fragment) as err:
        zerosum.train("dcgan-mnist", overrides=[*SIX, *overrides], out=out)
    assert "\n" not in str(err.value) and not out.exists()


def test_resume_checks_the_eval_config_before_touching_the_run(tmp_path):
    out = tmp_path / "run"
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=2"], out=out)
    before = (out / "config.yaml").read_text()
    with pytest.raises(zerosum.ConfigError, match="eval.metrics: unknown metric"):
        zerosum.resume(out, overrides=["train.steps=4", "eval.every=2", "eval.metrics=nope"])
    assert (out / "config.yaml").read_text() == before and zerosum.load_run(out).step == 2


def test_metric_names_may_be_given_comma_separated():
    cfg = resolve("dcgan-mnist", ["eval.metrics=fd_lenet, confident_lenet"])
    assert cfg.eval.metrics == ["fd_lenet", "confident_lenet"] and cfg.eval.every == 0 and cfg.eval.best is None


@pytest.mark.parametrize(("higher_is_better", "values"), [(False, [5.0, 3.0, 4.0]), (True, [1.0, 3.0, 2.0])])
def test_best_checkpoint_follows_improvements_only(tmp_path, higher_is_better, values):
    out = tmp_path / "run"
    script = Scripted(values)
    with fake_metric("scripted", script, higher_is_better=higher_is_better):
        zerosum.train("dcgan-mnist", overrides=[*SIX, "eval.every=2", "eval.metrics=[scripted]"], out=out)
    assert script.calls == 3
    folder = out / "checkpoints"
    assert json.loads((folder / BEST_JSON).read_text()) == {"step": 4, "metric": "scripted", "value": 3.0}
    best, last = checkpoint.load(folder / "best.pt"), checkpoint.load(folder / "step_00000006.pt")
    assert best["step"] == 4 and set(best) == set(last)  # a full checkpoint: resumable, loadable
    assert zerosum.load_run(out, "best").step == 4
    record = json.loads(eval_path(out, "scripted").read_text())
    assert record["step"] == 6 and record["value"] == 4.0 - 2.0 * higher_is_better and record["checkpoint"] is None
    logged = {r["step"]: r["eval/scripted"] for r in _rows(out) if "eval/scripted" in r}
    assert logged == {2: values[0], 4: values[1], 6: values[2]}
    assert [r["step"] for r in _rows(out)] == [1, 2, 3, 4, 5, 6]


def test_eval_best_picks_the_deciding_metric_and_resume_keeps_it(tmp_path):
    out = tmp_path / "run"
    first, second = Scripted([0.0, 0.0, 0.0, 0.0, 0.0]), Scripted([5.0, 3.0, 4.0, 3.5, 4.0])
    sets = ["eval.every=2", "eval.metrics=first,second", "eval.best=second"]
    with fake_metric("first", first), fake_metric("second", second, higher_is_better=False):
        zerosum.train("dcgan-mnist", overrides=[*SIX, *sets], out=out)
        best_bytes = (out / "checkpoints" / "best.pt").read_bytes()
        zerosum.resume(out, overrides=["train.steps=10"])  # 3.5 and 4.0 at steps 8, 10: worse than 3.0 at step 4
    assert second.calls == 5 and first.calls == 5
    assert json.loads((out / "checkpoints" / BEST_JSON).read_text()) == {"step": 4, "metric": "second", "value": 3.0}
    assert (out / "checkpoints" / "best.pt").read_bytes() == best_bytes


def test_read_best_only_trusts_its_own_metric(tmp_path):
    (tmp_path / BEST_JSON).write_text(json.dumps({"step": 4, "metric": "a", "value": 2.5}))
    assert read_best(tmp_path, "a") is None  # no best.pt beside it
    (tmp_path / "best.pt").write_bytes(b"")
    assert read_best(tmp_path, "a") == 2.5 and read_best(tmp_path, "b") is None


def test_improvement_is_strict_and_nan_never_wins():
    assert improves(1.0, None, True) and improves(1.0, 2.0, False) and improves(3, 2.0, True)
    assert not improves(2.0, 2.0, True) and not improves(2.0, 2.0, False)
    assert not improves(float("nan"), None, True) and not improves(None, None, False)


def _greedy(ctx):
    """Draws from every global RNG, as a careless protocol might; training must not notice."""
    ctx.samples(8)
    return {"value": float(torch.rand(1)) + float(np.random.rand()) + random.random()}


def _state(run_dir):
    return checkpoint.load(checkpoint.resolve(run_dir))


@pytest.mark.parametrize("extra", [["train.ema=0"], ["train.ema=0.9"]], ids=["G-in-train-mode", "ema"])
def test_evaluation_does_not_change_training(tmp_path, extra):
    base = [*TINY_DCGAN, *extra, "train.ckpt_every=3"]
    ev = ["eval.every=1", "eval.metrics=greedy"]
    with fake_metric("greedy", _greedy):
        zerosum.train("dcgan-mnist", overrides=[*base, "train.steps=6"], out=tmp_path / "off")
        zerosum.train("dcgan-mnist", overrides=[*base, *ev, "train.steps=6"], out=tmp_path / "on")
        zerosum.train("dcgan-mnist", overrides=[*base, *ev, "train.steps=3"], out=tmp_path / "split")
        zerosum.resume(tmp_path / "split", overrides=["train.steps=6"])
    off = _state(tmp_path / "off")
    for name in ("on", "split"):
        other = _state(tmp_path / name)
        for key in ("G", "D", "G_ema"):
            for param, tensor in (off[key] or {}).items():
                assert torch.equal(tensor, other[key][param]), f"{name}: {key}.{param} differs"
        for key in ("noise", "torch", "python"):
            assert str(off["rng"][key]) == str(other["rng"][key]), f"{name}: rng {key} differs"
        assert torch.equal(off["rng"]["numpy"][1], other["rng"]["numpy"][1])
    assert len(_rows(tmp_path / "split")) == 6


def test_a_failing_protocol_does_not_end_training(tmp_path, capsys):
    def broken(ctx):
        raise zerosum.DataError("reference data missing; put it in place")

    out = tmp_path / "run"
    with fake_metric("broken", broken):
        result = zerosum.train("dcgan-mnist", overrides=[*SIX, "eval.every=2", "eval.metrics=broken"], out=out)
    assert result.status == "finished" and result.step == 6
    assert "evaluation failed" in capsys.readouterr().err
    assert not (out / "checkpoints" / "best.pt").exists() and not (out / "eval").exists()
