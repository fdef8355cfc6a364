"""`zerosum augment` end to end on tiny budgets, and its one-line refusals (exit 2, nothing written)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TINY_DCGAN
from zerosum.cli import main

TINY_CGAN = ["model.ngf=8", "model.ndf=8", "model.nz=8", "train.batch_size=16", "train.steps=3",
             "train.tensorboard=false", "train.progress=false", "train.sample_every=1000"]  # fmt: skip


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    import zerosum

    out = tmp_path_factory.mktemp("cgan") / "run"
    over = [o for o in TINY_DCGAN if not o.startswith("data.size")]  # the LeNet reads 28×28
    zerosum.train("cgan-mnist", overrides=[*over, "train.steps=2"], out=out)
    return out


def test_augment_trains_every_method_and_writes_table_pictures_and_record(conditional_run, tmp_path, capsys):
    out = tmp_path / "aug"
    cgan = [x for kv in TINY_CGAN for x in ("--cgan-set", kv)]
    args = ["augment", "--labels", "20,30", "--seeds", "2", "--steps", "3", "--cgan-all", str(conditional_run),
            "--out", str(out), *cgan]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "cgan_subset" in printed and "±" in printed and "wrote" in printed
    record = json.loads((out / "augment.json").read_text())
    assert record["methods"] == ["labelled", "shifts", "cgan_subset", "cgan_all"]
    assert len(record["runs"]) == 2 * 2 * 4 and set(record["table"]) == {
        f"{n}/{m}" for n in (20, 30) for m in record["methods"]
    }
    assert len(record["table"]["20/shifts"]["per_seed"]) == 2
    subset_runs = {r["cgan"] for r in record["runs"] if r["method"] == "cgan_subset"}
    assert len(subset_runs) == 4  # one cGAN per budget and seed, each trained on its own subset
    config = (out / "cgan-mnist-20-seed1" / "config.yaml").read_text()
    assert "labelled: 20" in config and "label_seed: 1" in config
    assert (out / "augment.png").stat().st_size > 5000 and (out / "classes-cgan_all.png").is_file()


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--labels", "70000"], "70,000 labels asked for but the split has only 60,000"),
        (["--labels", "many"], "--labels 'many'"),
        (["--methods", "labelled,magic"], "--methods magic"),
        (["--dataset", "cifar10"], "use --dataset mnist or fashion-mnist"),
        (["--methods", "cgan_all"], "needs --cgan-all RUN"),
        (["--mix", "0"], "--mix 0"),
    ],
)
def test_bad_requests_exit_2_with_one_line(tmp_path, capsys, extra, fragment):
    out = tmp_path / "aug"
    assert main(["augment", "--methods", "labelled", "--labels", "20", "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and err.count("\n") == 0
    assert not out.exists()


def test_an_unconditional_run_is_refused(tiny_run, tmp_path, capsys):
    out = tmp_path / "aug"
    args = ["augment", "--methods", "cgan_all", "--labels", "20", "--cgan-all", str(tiny_run), "--out", str(out)]
    assert main(args) == 2
    assert "is unconditional; zerosum augment needs a conditional GAN" in capsys.readouterr().err
    assert not out.exists()
