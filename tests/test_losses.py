"""Losses against closed forms computed from probabilities, at ordinary and extreme logits."""

import math

import pytest
import torch

from zerosum import losses
from zerosum.errors import ConfigError


def _closed_forms(real: torch.Tensor, fake: torch.Tensor) -> dict[str, torch.Tensor]:
    """Reference values from D = sigmoid(logit) in float64, exactly as the paper writes them."""
    p_real, p_fake = torch.sigmoid(real.double()), torch.sigmoid(fake.double())
    v = torch.log(p_real).mean() + torch.log(1 - p_fake).mean()
    return {
        "value": v,
        "d": -v,
        "g_minimax": torch.log(1 - p_fake).mean(),
        "g_nonsaturating": -torch.log(p_fake).mean(),
    }


@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0, "grid"])
def test_losses_match_probability_closed_forms(scale):
    gen = torch.Generator().manual_seed(0)
    if scale == "grid":  # up to |logit| = 20, where 1 - sigmoid is still exact enough in float64
        real, fake = torch.linspace(-20, 20, 41), torch.linspace(20, -20, 9)
    else:  # a different batch size: means are taken separately
        real, fake = torch.randn(64, generator=gen) * scale, torch.randn(48, generator=gen) * scale
    ref = _closed_forms(real, fake)
    torch.testing.assert_close(losses.value(real, fake).double(), ref["value"], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(losses.d_loss(real, fake).double(), ref["d"], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(losses.g_minimax(fake).double(), ref["g_minimax"], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(losses.g_nonsaturating(fake).double(), ref["g_nonsaturating"], rtol=1e-5, atol=1e-6)


def test_equilibrium_value_is_minus_log_4():
    zeros = torch.zeros(10)  # D(x) = 1/2 everywhere
    assert losses.value(zeros, zeros).item() == pytest.approx(-math.log(4), rel=1e-6)
    assert losses.d_loss(zeros, zeros).item() == pytest.approx(math.log(4), rel=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_extreme_logits_are_finite_with_finite_gradients(dtype):
    # D completely wrong on both batches: every term is ≈ 50 (softplus(50) = 50 + log1p(e^-50)).
    real = torch.full((4,), -50.0, dtype=dtype, requires_grad=True)
    fake = torch.full((4,), 50.0, dtype=dtype, requires_grad=True)
    d = losses.d_loss(real, fake)
    assert d.item() == pytest.approx(100.0, rel=1e-2)
    assert losses.value(real, fake).item() == pytest.approx(-100.0, rel=1e-2)
    assert losses.g_minimax(fake).item() == pytest.approx(-50.0, rel=1e-2)
    assert losses.g_nonsaturating(-fake).item() == pytest.approx(50.0, rel=1e-2)
    d.backward()
    assert torch.isfinite(real.grad).all() and torch.isfinite(fake.grad).all()
    # D right on both batches: the loss is ≈ 2·e^-50, tiny but never negative, inf or nan.
    right = losses.d_loss(torch.full((4,), 50.0, dtype=dtype), torch.full((4,), -50.0, dtype=dtype))
    assert torch.isfinite(right) and 0.0 <= right.item() < 1e-10


def test_minimax_gradient_saturates_when_d_rejects_fakes_and_nonsaturating_does_not():
    # D(G(z)) ≈ 4.5e-5: early training, D easily tells fakes apart (Goodfellow et al. 2014, section 3).
    fake = torch.full((8,), -10.0, requires_grad=True)
    (g_mm,) = torch.autograd.grad(losses.g_minimax(fake), fake)
    (g_ns,) = torch.autograd.grad(losses.g_nonsaturating(fake), fake)
    # per-sample gradients w.r.t. the logit: -sigmoid(l)/N for minimax, -(1 - sigmoid(l))/N for non-saturating
    d_fake = torch.sigmoid(torch.tensor(-10.0, dtype=torch.float64)).item()
    torch.testing.assert_close(g_mm, torch.full((8,), -d_fake / 8))
    torch.testing.assert_close(g_ns, torch.full((8,), -(1 - d_fake) / 8))
    assert g_mm.abs().max() < 1e-5 and g_ns.abs().min() > 0.12
    # both push the logit the same way (up: make D believe the fakes), only the size differs
    assert (g_mm < 0).all() and (g_ns < 0).all()


def test_minimax_and_nonsaturating_share_the_fixed_point_gradient_direction_near_half():
    fake = torch.zeros(4, requires_grad=True)
    (g_mm,) = torch.autograd.grad(losses.g_minimax(fake), fake)
    (g_ns,) = torch.autograd.grad(losses.g_nonsaturating(fake), fake)
    torch.testing.assert_close(g_mm, g_ns)  # at D = 1/2 both are -1/(2N)


def test_hinge_losses():
    real = torch.tensor([2.0, 0.5, -1.0])
    fake = torch.tensor([-2.0, 0.0, 3.0])
    assert losses.d_hinge(real, fake).item() == pytest.approx((0 + 0.5 + 2) / 3 + (0 + 1 + 4) / 3)
    assert losses.g_hinge(fake).item() == pytest.approx(-1 / 3)
    # a confident, correct D gets exactly zero loss (no gradient from easy samples)
    assert losses.d_hinge(torch.full((3,), 5.0), torch.full((3,), -5.0)).item() == 0.0


def test_registry_and_get_loss():
    assert set(losses.LOSSES) == {"minimax", "nonsaturating", "hinge"}
    mm, ns = losses.get_loss("minimax"), losses.get_loss("nonsaturating")
    assert mm.d is losses.d_loss and ns.d is losses.d_loss
    assert mm.g is losses.g_minimax and ns.g is losses.g_nonsaturating
    assert losses.get_loss("hinge").g is losses.g_hinge
    with pytest.raises(AttributeError):
        mm.name = "other"  # frozen
    with pytest.raises(ConfigError, match="hinge, minimax, nonsaturating") as err:
        losses.get_loss("wasserstein")
    assert "\n" not in str(err.value)


def test_r1_penalty_closed_forms():
    """Linear D: ∇ₓ(w·x + b) = w everywhere, so the penalty is ‖w‖²; quadratic D ‖x‖²: ∇ = 2x, penalty 4·E‖x‖²."""
    w = torch.tensor([3.0, -4.0])
    x = torch.randn(5, 2, requires_grad=True)
    assert losses.r1_penalty(x @ w + 1.0, x).item() == pytest.approx(25.0)
    x = torch.randn(7, 1, 3, 3, requires_grad=True)
    expected = 4 * x.detach().pow(2).flatten(1).sum(1).mean()
    assert losses.r1_penalty(x.pow(2).sum((1, 2, 3)), x).item() == pytest.approx(expected.item(), rel=1e-6)


def test_r1_penalty_is_differentiable_in_d_parameters():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    x = torch.randn(4, 2, requires_grad=True)
    losses.r1_penalty(x @ w, x).backward()
    assert torch.allclose(w.grad, 2 * w.detach())  # d‖w‖²/dw


def test_semi_supervised_d_loss_is_the_k_plus_1_class_likelihood():
    """Closed form from the (K+1)-way softmax with the generated class's logit at 0, in float64."""
    gen = torch.Generator().manual_seed(0)
    lab, unl, fake = (torch.randn(n, 4, generator=gen) * 3 for n in (6, 8, 5))
    y = torch.tensor([0, 1, 2, 3, 0, 1])

    def k_plus_1(logits):  # probabilities over K real classes and "generated"
        full = torch.cat([logits.double(), torch.zeros(len(logits), 1, dtype=torch.float64)], dim=1)
        return torch.softmax(full, dim=1)

    p_lab = k_plus_1(lab)
    sup_ref = -torch.log(p_lab[torch.arange(6), y] / p_lab[:, :4].sum(1)).mean()  # p(y | x, real)
    unsup_ref = -torch.log(1 - k_plus_1(unl)[:, 4]).mean() - torch.log(k_plus_1(fake)[:, 4]).mean()
    from zerosum.models.semisupervised import gan_logit

    sup, unsup = losses.semi_supervised_d(lab, y, gan_logit(unl), gan_logit(fake), unsup_weight=0.5)
    torch.testing.assert_close(sup.double(), sup_ref, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(unsup.double(), 0.5 * unsup_ref, rtol=1e-5, atol=1e-6)


def test_feature_matching_compares_batch_means_and_spares_the_real_side():
    real = torch.tensor([[1.0, 2.0], [3.0, 6.0]], requires_grad=True)  # mean (2, 4)
    fake = torch.tensor([[0.0, 1.0], [2.0, 1.0], [1.0, 1.0]], requires_grad=True)  # mean (1, 1)
    l2 = losses.feature_matching(real, fake, "l2")
    assert l2.item() == pytest.approx(1.0 + 9.0)
    assert losses.feature_matching(real, fake, "l1").item() == pytest.approx((1.0 + 3.0) / 2)
    l2.backward()
    assert real.grad is None and fake.grad is not None
    with pytest.raises(ConfigError, match="use l1 or l2"):
        losses.feature_matching(real, fake, "cosine")


def test_auxiliary_classifier_is_the_cross_entropy_of_the_class_logits():
    logits, y = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]]), torch.tensor([0, 2])
    p0 = math.exp(2) / (math.exp(2) + 1 + math.exp(-1))
    expected = -(math.log(p0) + math.log(1 / 3)) / 2
    assert losses.auxiliary_classifier(logits, y).item() == pytest.approx(expected, rel=1e-6)
