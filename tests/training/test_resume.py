"""`--resume` is exact: N steps + resume for N more equals 2N uninterrupted steps, bit for bit, on CPU."""

import json

import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum.training import checkpoint

TINY_MLP = [
    "data.limit=300",
    "model.g_hidden=[32]",
    "model.d_hidden=[16, 16]",
    "model.nz=8",
    "train.batch_size=20",
    "train.tensorboard=false",
    "train.progress=false",
    "train.lr_decay=1.01",
    "train.momentum_steps=8",
]
TINY_PAIRS = ["data.params.n=64", "train.batch_size=4", "train.tensorboard=false", "train.progress=false"]
TINY_PIX2PIX = [*TINY_PAIRS, "model.ngf=8", "model.ndf=8"]
TINY_SRGAN = [
    *TINY_PAIRS, "data.name=shapes", "data.channels=null", "data.size=32", "data.pairs.test_classes=[]",
    "data.pairs.noise=0.02", "model.pixel_steps=4", "model.ngf=8", "model.ndf=8", "model.blocks=1",
]  # fmt: skip
NOISY = ["train.instance_noise=0.2", "train.instance_noise_steps=16"]
CASES = {
    # DCGAN, conditional, with EMA and bf16 autocast: BN buffers, label noise, EMA and Adam state must all resume.
    "dcgan-cond-ema-bf16": (
        "dcgan-mnist",
        [*TINY_DCGAN, "model.conditional=true", "train.ema=0.9", "train.amp=bf16", "train.d_steps=2"],
    ),
    # fp16 autocast with its two gradient scalers (their loss scale and growth tracker are in the checkpoint).
    "dcgan-fp16": ("dcgan-mnist", [*TINY_DCGAN, "train.amp=fp16"]),
    # Instance noise in both update orders: drawn from the state's noise generator, σ falling across the split
    # (over a fixed 16 steps: by default it falls over train.steps, which the split run's first half sets to N).
    "dcgan-instance-noise": ("dcgan-mnist", [*TINY_DCGAN, *NOISY]),
    "mlp-simultaneous-instance-noise": ("gan-mnist", [*TINY_MLP, *NOISY]),
    # The demo's recipe: lazy R1 (on steps 0, 3, 6, 9: across the split), shared G forward pass, channels_last.
    # (Its lr anneal is off: it runs to 0 at train.steps, which the split run's first half sets to N.)
    "dcgan-r1-reuse": (
        "demo",
        [*TINY_DCGAN, "train.r1_every=3", "train.lr_anneal_from=null"],
    ),
    # The paper's MLP GAN: dropout draws from the global RNG; SGD with decaying lr and rising momentum; the
    # released code's simultaneous update with the non-saturating loss (two gradients over one graph).
    "mlp-sgd-dropout": ("gan-mnist", TINY_MLP),
    # The simultaneous minimax step: one backward through the gradient reversal layer.
    "mlp-minimax-reversal": ("gan-mnist", [*TINY_MLP, "train.loss=minimax"]),
    # Algorithm 1 on the same model (the `gan-mnist-alternating` preset).
    "mlp-alternating": ("gan-mnist-alternating", TINY_MLP),
    # A simultaneous DCGAN step under fp16, whose two loss scalers step after both gradients are taken.
    "dcgan-simultaneous-fp16": ("dcgan-mnist", [*TINY_DCGAN, "train.update=simultaneous", "train.amp=fp16"]),
    # pix2pix: U-Net dropout (its only noise) draws from the global RNG; PatchGAN logits per patch.
    # Instance noise on what D sees, drawn from the state's noise generator, its σ falling across the split.
    "pix2pix-dropout-instance-noise": ("pix2pix-shapes", [*TINY_PIX2PIX, *NOISY]),
    # SRGAN's two stages across the split (pixel loss alone for 4 steps, then D joins) and a noisy degradation
    # drawn from the state's noise generator.
    "srgan-stages-noise": ("srgan-faces", TINY_SRGAN),
    # Conditional BatchNorm in G, ACGAN's auxiliary classifier on a label-blind D, trained on 40 labelled images.
    "dcgan-cbn-acgan-few-labels": (
        "dcgan-mnist",
        [
            *TINY_DCGAN,
            "model.conditional=true",
            "model.g_conditioning=batchnorm",
            "model.d_conditioning=none",
            "model.aux_weight=1.0",
            "data.labelled=40",
        ],
    ),  # fmt: skip
    # The semi-supervised GAN: a second sampler over 20 labelled images (it wraps within the split), D's Gaussian
    # noise from the global RNG, feature matching.
    "ssgan-labelled-sampler": (
        "ssgan-mnist",
        [
            "data.limit=300",
            "data.labelled=20",
            "model.g_hidden=[32]",
            "model.d_hidden=[32, 16]",
            "model.nz=8",
            "train.batch_size=16",
            "train.tensorboard=false",
            "train.progress=false",
        ],
    ),  # fmt: skip
}


def _weights(run_dir):
    state = checkpoint.load(checkpoint.resolve(run_dir))
    return state


@pytest.mark.parametrize("case", sorted(CASES))
def test_resume_is_bit_identical(tmp_path, case):
    preset, overrides = CASES[case]
    n = 6
    common = [*overrides, "train.ckpt_every=4"]
    zerosum.train(preset, overrides=[*common, f"train.steps={2 * n}"], out=tmp_path / "straight")
    zerosum.train(preset, overrides=[*common, f"train.steps={n}"], out=tmp_path / "split")
    result = zerosum.resume(tmp_path / "split", overrides=[f"train.steps={2 * n}"])
    assert result.step == 2 * n

    a, b = _weights(tmp_path / "straight"), _weights(tmp_path / "split")
    assert ("D_ema" in a) == (preset == "ssgan-mnist")  # the semi-supervised preset averages D (train.d_ema)
    for key in ("G", "D", "G_ema", "D_ema"):
        if a.get(key) is None:
            continue
        for name, tensor in a[key].items():
            assert torch.equal(tensor, b[key][name]), f"{key}.{name} differs after resume"
    assert torch.equal(a["rng"]["noise"], b["rng"]["noise"])
    assert torch.equal(a["sampler"]["perm"], b["sampler"]["perm"])
    if "label_sampler" in a:
        assert torch.equal(a["label_sampler"]["perm"], b["label_sampler"]["perm"])
    rows = (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    assert len(rows) == 2 * n  # the log reads like an uninterrupted run's


def test_resume_refuses_another_architecture(tmp_path):
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=2"], out=tmp_path / "r")
    with pytest.raises(zerosum.CheckpointError, match="another model"):
        zerosum.resume(tmp_path / "r", overrides=["model.ngf=16", "train.steps=4"])


def test_resume_of_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(zerosum.CheckpointError, match="not a zerosum run directory"):
        zerosum.resume(tmp_path)


def test_a_run_stopped_before_its_first_checkpoint_starts_again_from_step_0(tmp_path):
    common = [*TINY_DCGAN, "train.steps=4", "train.ckpt_every=4"]
    zerosum.train("dcgan-mnist", overrides=common, out=tmp_path / "straight")
    zerosum.train("dcgan-mnist", overrides=common, out=tmp_path / "stopped")
    for path in (tmp_path / "stopped" / "checkpoints").iterdir():  # as if killed before the first save
        path.unlink()
    (tmp_path / "stopped" / "metrics.jsonl").write_text('{"step": 1, "d_loss": 1.0}\n{"step": 2, "d_lo')
    assert zerosum.resume(tmp_path / "stopped").step == 4
    a, b = _weights(tmp_path / "straight"), _weights(tmp_path / "stopped")
    for key in ("G", "D"):
        for name, tensor in a[key].items():
            assert torch.equal(tensor, b[key][name]), f"{key}.{name} differs from the uninterrupted run"
    logged = [
        [json.loads(line)["step"] for line in (tmp_path / name / "metrics.jsonl").read_text().splitlines()]
        for name in ("straight", "stopped")
    ]
    assert logged[0] == logged[1]  # the old lines were rewound, not appended to


def _checkpointed_run(tmp_path, steps=6, every=2):
    run = tmp_path / "r"
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, f"train.steps={steps}", f"train.ckpt_every={every}"], out=run)
    return run


def test_resume_falls_back_past_a_truncated_latest_checkpoint(tmp_path, caplog):
    run = _checkpointed_run(tmp_path)
    folder = run / "checkpoints"
    newest = folder / "step_00000006.pt"
    newest.write_bytes(newest.read_bytes()[:1000])  # a partial copy
    with caplog.at_level("INFO", logger="zerosum"):
        result = zerosum.resume(run, overrides=["train.steps=8"])
    assert result.start_step == 4 and result.step == 8
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("skipped unreadable step_00000006.pt" in w and "using step_00000004.pt" in w for w in warnings)
    assert (folder / "step_00000006.pt.damaged").is_file()  # kept for inspection, out of the way
    assert f"resuming {run} from step 4 (checkpoint {folder / 'step_00000004.pt'})" in caplog.text
    assert checkpoint.latest(folder).name == "step_00000008.pt"


def test_a_truncated_checkpoint_gives_a_whole_message_naming_the_file(tmp_path):
    run = _checkpointed_run(tmp_path, steps=2)
    path = run / "checkpoints" / "step_00000002.pt"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(zerosum.CheckpointError) as err:
        zerosum.resume(run, overrides=["train.steps=4"])
    text = str(err.value)
    assert str(path) in text and "truncated" in text and "\n" not in text
    assert text.endswith("failed finding central directory)")  # torch's sentence, not cut in the middle


def test_load_run_uses_the_newest_readable_checkpoint(tmp_path, caplog):
    run = _checkpointed_run(tmp_path)
    (run / "checkpoints" / "step_00000006.pt").write_bytes(b"")
    with caplog.at_level("WARNING", logger="zerosum"):
        assert zerosum.load_run(run).step == 4
    assert "skipped unreadable step_00000006.pt" in caplog.text
    assert (run / "checkpoints" / "step_00000006.pt").is_file()  # a reader renames nothing


def test_resume_from_a_chosen_checkpoint_sets_the_newer_ones_aside(tmp_path):
    run = _checkpointed_run(tmp_path)
    straight = tmp_path / "straight"
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=6", "train.ckpt_every=2"], out=straight)
    result = zerosum.resume(run, checkpoint_path=run / "checkpoints" / "step_00000002.pt")
    assert (result.start_step, result.steps_run, result.step) == (2, 4, 6)
    assert (run / "checkpoints" / "step_00000004.pt").is_file()  # retrained and saved again
    assert (run / "checkpoints" / "step_00000006.pt.superseded").is_file()  # the old trajectory, kept aside
    a, b = _weights(straight), _weights(run)
    for name, tensor in a["G"].items():
        assert torch.equal(tensor, b["G"][name])  # the same trajectory, replayed
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 7))


def test_resume_refuses_to_shorten_a_run(tmp_path):
    run = _checkpointed_run(tmp_path, steps=4)
    before = (run / "config.yaml").read_text()
    with pytest.raises(zerosum.ConfigError, match=r"train.steps=2 is below step 4 of step_00000004.pt"):
        zerosum.resume(run, overrides=["train.steps=2"])
    assert (run / "config.yaml").read_text() == before  # config.yaml still describes the checkpoint


def test_train_cli_says_where_it_resumed_and_how_many_steps_it_ran(tmp_path, capsys):
    from zerosum.cli import main

    run = _checkpointed_run(tmp_path, steps=4)
    assert main(["train", "--resume", str(run), "--set", "train.steps=6"]) == 0
    out, err = capsys.readouterr()
    assert f"resuming {run} from step 4 (checkpoint " in err
    assert "finished: 2 steps (from step 4)" in out and "step 6 of 6" in out
    assert main(["train", "--preset", "demo", "--checkpoint", "x.pt"]) == 2
    assert "add --resume" in capsys.readouterr().err
