"""Job.train resumes, reuses or retrains; Job.evaluate reuses a record only for the same checkpoint."""

from __future__ import annotations

import json

import torch

import zerosum.reproduce  # noqa: F401  (registers toy-1d)
from zerosum.reproduce.job import Job, _latest_step
from zerosum.reproduce.registry import get
from zerosum.training import checkpoint

TINY = ["train.steps={}", "train.ckpt_every=10", "train.sample_every=1000", "train.log_every=10"]


def _job(tmp_path, fresh=False) -> Job:
    return Job(get("toy-1d"), "fast", {}, tmp_path / "runs", fresh=fresh, quiet=True)


def _overrides(steps: int, *extra: str) -> list[str]:
    return [o.format(steps) if "{}" in o else o for o in TINY] + list(extra)


def test_train_resumes_then_reuses_then_retrains(tmp_path):
    job = _job(tmp_path)
    run = job.train("toy-1d", _overrides(20))
    assert _latest_step(run) == 20 and job.reused == []
    ckpt_20 = (run / "checkpoints" / "step_00000020.pt").stat().st_mtime_ns
    run = job.train("toy-1d", _overrides(40))  # a longer budget continues the same run
    assert _latest_step(run) == 40
    assert (run / "checkpoints" / "step_00000020.pt").stat().st_mtime_ns == ckpt_20
    job.train("toy-1d", _overrides(40, "train.log_every=5"))  # bookkeeping only: reused
    assert job.reused == ["toy-1d"]
    job.train("toy-1d", _overrides(40, "train.lr_g=5e-4"))  # what it learns changed: trained again
    assert job.reused == ["toy-1d"]
    assert json.loads((run / "checkpoints" / "latest.json").read_text())["step"] == 40
    assert "lr_g: 0.0005" in (run / "config.yaml").read_text()


def test_fresh_retrains_a_finished_run(tmp_path):
    _job(tmp_path).train("toy-1d", _overrides(10))
    job = _job(tmp_path, fresh=True)
    job.train("toy-1d", _overrides(10))
    assert job.reused == []


def test_evaluate_reuses_a_record_of_the_same_checkpoint(tmp_path):
    job = _job(tmp_path)
    run = job.train("ring-8", _overrides(10))
    first = job.evaluate(run, ["modes_ring8"])["modes_ring8"]
    again = job.evaluate(run, ["modes_ring8"])["modes_ring8"]
    assert again["timestamp"] == first["timestamp"]
    job.train("ring-8", _overrides(20))
    later = job.evaluate(run, ["modes_ring8"])["modes_ring8"]
    assert later["step"] == 20


def test_evaluate_rescores_a_record_written_during_training(tmp_path):
    job = _job(tmp_path)
    run = job.train("ring-8", _overrides(10, "eval.every=10", "eval.metrics=modes_ring8"))
    during = json.loads((run / "eval" / "modes_ring8.json").read_text())
    assert during["checkpoint"] is None  # in-memory weights: no checkpoint to compare with
    record = job.evaluate(run, ["modes_ring8"])["modes_ring8"]
    assert record["checkpoint"] == "checkpoints/step_00000010.pt"


def test_train_reuses_an_identical_finished_run_of_another_experiment(tmp_path):
    owner = Job(get("toy-1d"), "fast", {}, tmp_path / "fast" / "toy-1d", quiet=True)
    trained = owner.train("toy-1d", _overrides(10))
    user = Job(get("ring-8"), "fast", {}, tmp_path / "fast" / "ring-8", quiet=True)
    assert user.train("toy-1d", _overrides(10)) == trained and user.reused == ["toy-1d"]
    assert not (tmp_path / "fast" / "ring-8" / "toy-1d").exists()
    longer = user.train("toy-1d", _overrides(20))  # the sibling is too short: trained here, not extended there
    assert longer == tmp_path / "fast" / "ring-8" / "toy-1d" and _latest_step(trained) == 10
    fresh = Job(get("ring-8"), "fast", {}, tmp_path / "fast" / "x", fresh=True, quiet=True)
    assert fresh.train("toy-1d", _overrides(10)) == tmp_path / "fast" / "x" / "toy-1d"


def test_train_many_in_two_processes_trains_what_one_process_would(tmp_path):
    runs = [(_overrides(10, f"train.seed={seed}"), f"seed{seed}") for seed in (0, 1)]
    alone = _job(tmp_path / "alone").train_many("ring-8", runs, workers=1)
    job = _job(tmp_path / "pair")
    paired = job.train_many("ring-8", runs, workers=2)
    assert [p.name for p in paired] == ["seed0", "seed1"]
    for a, b in zip(alone, paired, strict=True):
        wa, wb = (torch.load(checkpoint.resolve(r), weights_only=True)["G"] for r in (a, b))
        assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert "threads: 1" in (paired[0] / "config.yaml").read_text()
    assert set(job.seconds) == {"seed0", "seed1"} and all(s > 0 for s in job.seconds.values())  # timed in workers
    job.seconds.clear()
    job.train_many("ring-8", runs, workers=2)  # finished: reused, and the parent hears of it
    assert job.reused == ["seed0", "seed1"] and job.seconds == {}  # nothing trained, nothing timed


def test_a_worker_stops_itself_when_its_parent_is_gone(monkeypatch):
    """An orphaned training worker (its parent killed) gets SIGTERM, which the trainer answers by saving and
    stopping, instead of training on into folders nobody reads."""
    import os
    import signal
    import threading

    from zerosum.reproduce import job as job_module

    parents = iter([100, 100, 100, 1])  # the parent's PID, then init's once it is gone
    monkeypatch.setattr(os, "getppid", lambda: next(parents, 1))
    sent = threading.Event()
    signals = []

    def kill(pid, sig):
        signals.append((pid, sig))
        sent.set()

    monkeypatch.setattr(os, "kill", kill)
    job_module._stop_with_parent(poll_s=0.01)
    assert sent.wait(5.0)
    assert signals == [(os.getpid(), signal.SIGTERM)]
