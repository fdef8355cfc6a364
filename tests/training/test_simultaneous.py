"""`train.update=simultaneous`: the gradients each player receives from the one forward pass are the ones its
own objective gives, computed separately; the gradient reversal layer turns D's gradient into G's."""

import pytest
import torch

import zerosum
from zerosum import make_config
from zerosum.cli import main
from zerosum.data import load_dataset
from zerosum.errors import ConfigError
from zerosum.losses import d_loss, g_minimax, g_nonsaturating, get_loss
from zerosum.models.reversal import GradientReversal, reverse_gradient
from zerosum.training.state import build_state
from zerosum.training.step import train_step
from zerosum.training.step_parts import draw

# The paper's MLP GAN, small, with its dropout on: the shared dropped-out pass is part of what is checked.
TINY = ["data.limit=200", "model.g_hidden=[24]", "model.d_hidden=[12, 12]", "model.nz=6", "train.batch_size=16"]


def test_reversal_layer_is_identity_forward_and_scales_the_gradient_by_minus_lambda():
    x = torch.randn(5, 3, requires_grad=True)
    y = reverse_gradient(x, 0.5)
    assert torch.equal(y, x)
    (y * torch.arange(3.0)).sum().backward()
    assert torch.allclose(x.grad, -0.5 * torch.arange(3.0).expand(5, 3))
    x.grad = None
    GradientReversal()(x).sum().backward()
    assert torch.equal(x.grad, -torch.ones(5, 3))


def _states(*overrides: str):
    """Two identical states (same seed: same weights, data order and noise stream) and the data."""
    cfg = make_config("gan-mnist", [*TINY, *overrides])
    data = load_dataset(cfg.data)
    return cfg, data, [build_state(cfg, tuple(data.shape), 0, len(data)) for _ in range(2)]


def _step(cfg, data, state) -> None:
    torch.manual_seed(7)  # dropout's masks
    train_step(state, data, get_loss(cfg.train.loss), cfg.train, torch.device("cpu"), (0.0, 1.0), 0)


def _direct(cfg, data, state):
    """The same minibatch, noise and dropout masks as `_step`, through the untouched copy: D's and G's logits."""
    torch.manual_seed(7)
    real, _, z, _ = draw(state, data, cfg.train.batch_size, torch.device("cpu"), (0.0, 1.0), 0)
    fake = state.G(z)
    return state.D(real), state.D(fake)


def _grads(module) -> list[torch.Tensor]:
    return [p.grad.detach().clone() for p in module.parameters()]


def _close(a, b) -> bool:
    return all(torch.allclose(x, y, rtol=1e-5, atol=1e-7) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_minimax_g_gradient_through_the_reversal_is_the_gradient_of_log_one_minus_d(scale):
    cfg, data, (state, copy) = _states("train.loss=minimax", f"train.d_loss_scale={scale}")
    _step(cfg, data, state)
    real_logits, fake_logits = _direct(cfg, data, copy)
    # G descends E log(1 − D(G(z))), i.e. V, while D descends −V (scaled): the directions of the minimax game
    want_g = torch.autograd.grad(g_minimax(fake_logits), list(copy.G.parameters()), retain_graph=True)
    want_d = torch.autograd.grad(scale * d_loss(real_logits, fake_logits), list(copy.D.parameters()))
    assert _close(_grads(state.G), want_g)
    assert _close(_grads(state.D), want_d)
    assert any(g.abs().sum() > 0 for g in want_g)  # a zero gradient would make the comparison vacuous


def test_nonsaturating_simultaneous_gradients_equal_separately_computed_ones():
    cfg, data, (state, copy) = _states("train.loss=nonsaturating", "train.d_loss_scale=0.5")
    _step(cfg, data, state)
    real_logits, fake_logits = _direct(cfg, data, copy)
    want_d = torch.autograd.grad(0.5 * d_loss(real_logits, fake_logits), list(copy.D.parameters()), retain_graph=True)
    want_g = torch.autograd.grad(g_nonsaturating(fake_logits), list(copy.G.parameters()))
    assert _close(_grads(state.D), want_d)
    assert _close(_grads(state.G), want_g)


def test_simultaneous_runs_one_g_forward_and_one_d_pass_per_batch():
    cfg, data, (state, _) = _states()
    calls = {"G": 0, "D": 0}
    state.G.register_forward_hook(lambda *_: calls.__setitem__("G", calls["G"] + 1))
    state.D.register_forward_hook(lambda *_: calls.__setitem__("D", calls["D"] + 1))
    before = [p.detach().clone() for p in (*state.G.parameters(), *state.D.parameters())]
    _step(cfg, data, state)
    assert calls == {"G": 1, "D": 2}  # D on the real batch and on the fake one, nothing more
    after = [*state.G.parameters(), *state.D.parameters()]
    assert all(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_simultaneous_with_more_than_one_d_step_is_refused():
    with pytest.raises(ConfigError, match="d_steps=1"):
        make_config("gan-mnist", ["train.d_steps=2"])


def test_toy_1d_trains_with_the_simultaneous_minimax_update(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--preset", "toy-1d", "--out", str(out), "--set", "train.update=simultaneous",
                 "--set", "train.loss=minimax", "--set", "train.steps=30", "--set", "train.progress=false",
                 "--set", "train.tensorboard=false"])  # fmt: skip
    assert code == 0
    run = zerosum.load_run(out)
    assert run.step == 30 and run.config.train.update == "simultaneous"
