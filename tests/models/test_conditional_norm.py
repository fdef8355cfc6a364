"""Class-conditional BatchNorm in G, ACGAN's auxiliary head and the blind D it pairs with."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from zerosum.config import DCGANConfig
from zerosum.errors import ConfigError
from zerosum.models import build_models
from zerosum.models.conditional_norm import ConditionalBatchNorm2d


def _cfg(**kw) -> DCGANConfig:
    return DCGANConfig(ngf=8, ndf=8, nz=16, conditional=True, **kw)


def test_conditional_batchnorm_is_batchnorm_then_a_gain_and_bias_of_the_class():
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(4, 3).train()
    with torch.no_grad():
        cbn.gain.weight.copy_(torch.tensor([[1.0] * 4, [2.0] * 4, [0.5] * 4]))
        cbn.bias.weight.copy_(torch.tensor([[0.0] * 4, [1.0] * 4, [-3.0] * 4]))
    h, y = torch.randn(6, 4, 5, 5), torch.tensor([0, 1, 2, 0, 1, 2])
    normed = torch.nn.functional.batch_norm(h, None, None, training=True, eps=cbn.bn.eps)
    expected = normed * cbn.gain(y)[:, :, None, None] + cbn.bias(y)[:, :, None, None]
    torch.testing.assert_close(cbn(h, y), expected)


def test_cbn_generator_has_no_label_input_but_every_batchnorm_depends_on_the_label():
    g, _ = build_models(_cfg(g_conditioning="batchnorm"), (1, 28, 28), num_classes=10)
    assert g.embed is None and g.in_features == 16
    cbns = [m for m in g.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert len(cbns) == 3 and not any(type(m) is torch.nn.BatchNorm2d and m.affine for m in g.modules())
    g.eval()
    z = g.sample_z(4, generator=torch.Generator().manual_seed(0)).repeat(2, 1)
    with torch.no_grad():
        for m in cbns:  # distinct gains per class, so the label must change the image
            m.gain.weight.normal_(1.0, 0.5)
        x = g(z, torch.tensor([0] * 4 + [7] * 4))
    assert x.shape == (8, 1, 28, 28)
    assert not torch.allclose(x[:4], x[4:])
    with pytest.raises(ConfigError, match="pass class labels"):
        g(z)


def test_acgan_d_ignores_labels_and_names_classes_with_its_auxiliary_head():
    _, d = build_models(_cfg(d_conditioning="none", aux_weight=1.0), (1, 28, 28), num_classes=10)
    assert not d.conditional and d.aux_classes == 10
    x = torch.randn(5, 1, 28, 28)
    d.eval()
    logits, classes = d.forward_with_classes(x, torch.arange(5))
    assert logits.shape == (5,) and classes.shape == (5, 10)
    torch.testing.assert_close(logits, d(x))  # one pass, the same logit; the label changes nothing
    torch.testing.assert_close(d(x, torch.zeros(5, dtype=torch.long)), d(x, torch.full((5,), 9)))


def test_projection_d_with_an_auxiliary_head_keeps_both():
    _, d = build_models(_cfg(d_conditioning="projection", aux_weight=0.5), (1, 16, 16), num_classes=3)
    assert d.conditional and d.aux_classes == 3 and d.embed is not None


def test_a_plain_d_has_no_auxiliary_classifier():
    _, d = build_models(_cfg(), (1, 16, 16), num_classes=3)
    assert d.aux_classes == 0
    with pytest.raises(ConfigError, match="no auxiliary classifier"):
        d.forward_with_classes(torch.randn(2, 1, 16, 16), torch.tensor([0, 1]))


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"conditional": False, "g_conditioning": "batchnorm"}, "settings of a conditional model"),
        ({"conditional": False, "aux_weight": 1.0}, "settings of a conditional model"),
        ({"conditional": True, "d_conditioning": "none"}, "leaves D blind to the labels"),
        ({"conditional": True, "g_conditioning": "batchnorm", "batch_norm": False}, "needs model.batch_norm=true"),
    ],
)
def test_conditioning_keys_that_cannot_work_are_refused(keys, message):
    with pytest.raises(ValidationError, match=message):
        DCGANConfig(**keys)
