import math

import pytest
import torch

import zerosum
from zerosum.config import resolve
from zerosum.losses import get_loss
from zerosum.training import checkpoint
from zerosum.translation.objective import Objective, feature_distance, l1, make_objective, mse

TINY = ["data.params.n=32", "train.batch_size=4", "train.tensorboard=false", "train.progress=false"]
SHAPES_SR = ["data.name=shapes", "data.channels=null", "data.size=32", "data.pairs.test_classes=[]"]


def test_pixel_losses_closed_forms():
    a, b = torch.tensor([[1.0, -1.0], [0.5, 0.0]]), torch.tensor([[0.0, 1.0], [0.5, 1.0]])
    assert l1(a, b).item() == pytest.approx((1 + 2 + 0 + 1) / 4)
    assert mse(a, b).item() == pytest.approx((1 + 4 + 0 + 1) / 4)
    f = feature_distance([a, 2 * a], [b, 2 * b])
    assert f.item() == pytest.approx((1.5 + 6.0) / 2)


def test_patch_logits_are_averaged_over_every_patch():
    logits = torch.tensor([[[[0.0, 2.0], [-1.0, 3.0]]]])
    gan = get_loss("nonsaturating")
    expected = sum(math.log1p(math.exp(-v)) for v in (0.0, 2.0, -1.0, 3.0)) / 4
    assert gan.g(logits).item() == pytest.approx(expected)


def test_objectives_of_the_presets():
    p2p = make_objective(resolve("pix2pix-shapes"), torch.device("cpu"))
    assert (p2p.adv_weight, p2p.pixel, p2p.pixel_weight) == (1.0, mse, 100.0)  # MSE for one-hot masks
    photo = make_objective(resolve("pix2pix-shapes-photo"), torch.device("cpu"))
    assert (photo.adv_weight, photo.pixel, photo.pixel_weight) == (1.0, l1, 100.0)  # the paper's
    sr = make_objective(resolve("srgan-faces"), torch.device("cpu"))
    assert (sr.adv_weight, sr.pixel, sr.pixel_weight, sr.pixel_steps) == (1e-3, mse, 1.0, 1500)
    assert not sr.adversarial(1499) and sr.adversarial(1500)
    assert not Objective(get_loss("nonsaturating"), 0.0, l1, 1.0).adversarial(10**6)


def test_the_feature_term_joins_with_d_and_alone_from_the_start():
    sr = make_objective(resolve("srgan-faces", ["model.feature_loss=d"]), torch.device("cpu"))
    assert not sr.featured(1499) and sr.featured(1500)  # the SRResNet stage is the pixel loss alone
    resnet = make_objective(resolve("srresnet-faces", ["model.feature_loss=d"]), torch.device("cpu"))
    assert resnet.featured(0) and not resnet.adversarial(0)  # a feature loss without D: from step 0
    off = resolve("srgan-faces", ["model.feature_loss=d", "model.feature_weight=0"])
    assert not make_objective(off, torch.device("cpu")).featured(10**6)


def _weights(run_dir, step):
    return checkpoint.load(run_dir / "checkpoints" / f"step_{step:08d}.pt")


def test_d_waits_for_the_pixel_stage_and_never_trains_without_an_adversary(tmp_path):
    over = [
        *TINY,
        *SHAPES_SR,
        "model.ngf=8",
        "model.ndf=8",
        "model.blocks=1",
        "train.ckpt_every=2",
        "train.keep_checkpoints=10",
    ]
    zerosum.train("srgan-faces", overrides=[*over, "model.pixel_steps=4", "train.steps=6"], out=tmp_path / "gan")
    d = [_weights(tmp_path / "gan", s)["D"] for s in (2, 4, 6)]
    g = [_weights(tmp_path / "gan", s)["G"] for s in (2, 4)]
    assert all(torch.equal(d[0][k], d[1][k]) for k in d[0])  # steps 0-3: the content loss alone
    assert not all(torch.equal(d[1][k], d[2][k]) for k in d[1])  # D trains from step 4
    assert not all(torch.equal(g[0][k], g[1][k]) for k in g[0])
    rows = [r for r in map(eval_json, (tmp_path / "gan" / "metrics.jsonl").read_text().splitlines())]
    assert ["loss_d" in r for r in rows] == [False] * 4 + [True] * 2
    zerosum.train("srresnet-faces", overrides=[*over, "train.steps=4"], out=tmp_path / "plain")
    first, last = _weights(tmp_path / "plain", 2)["D"], _weights(tmp_path / "plain", 4)["D"]
    assert all(torch.equal(first[k], last[k]) for k in first)


def eval_json(line: str) -> dict:
    import json

    return json.loads(line)


def test_feature_losses_train_and_need_their_data(tmp_path):
    over = [*TINY, *SHAPES_SR, "model.ngf=8", "model.ndf=8", "model.blocks=1", "train.steps=2"]
    result = zerosum.train("srgan-faces", overrides=[*over, "model.pixel_steps=0", "model.feature_loss=d"],
                           out=tmp_path / "d")  # fmt: skip
    assert result.status == "finished"
    with pytest.raises(zerosum.ConfigError, match="28×28 grey digits, not 32×32"):
        zerosum.train("srgan-faces", overrides=[*over, "model.feature_loss=lenet"], out=tmp_path / "lenet")
    assert not (tmp_path / "lenet").exists()  # refused before the run directory is made


@pytest.mark.parametrize(
    "key", ["train.r1_gamma=1", "train.d_steps=2", "train.update=simultaneous", "train.reuse_fake=true"]
)
def test_settings_of_the_noise_step_are_refused_for_a_translator(key):
    with pytest.raises(zerosum.ConfigError, match="settings of the noise GANs"):
        resolve("pix2pix-shapes", [key])
