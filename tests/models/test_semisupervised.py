"""The semi-supervised GAN's models: D's GAN logit is log Σ exp of its class logits; noise only while training."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from zerosum.config import RunConfig, SemiSupervisedConfig
from zerosum.errors import ConfigError
from zerosum.models import build_models
from zerosum.models.semisupervised import gan_logit

CFG = SemiSupervisedConfig(nz=8, g_hidden=[16], d_hidden=[32, 16])


def test_shapes_and_the_gan_logit_is_logsumexp_of_the_class_logits():
    g, d = build_models(CFG, (1, 28, 28), num_classes=10)
    z = g.sample_z(5, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        x = g(z)
    assert x.shape == (5, 1, 28, 28) and float(x.min()) >= 0 and float(x.max()) <= 1
    d.eval()
    classes = d.classify(x)
    assert classes.shape == (5, 10)
    torch.testing.assert_close(d(x), torch.logsumexp(classes, dim=1))
    torch.testing.assert_close(gan_logit(classes), d(x))
    logits, features = d.forward_all(x)
    assert features.shape == (5, 16) and torch.equal(logits, classes)


def test_gaussian_noise_only_in_training_mode():
    _, d = build_models(CFG, (1, 28, 28), num_classes=10)
    x = torch.rand(4, 1, 28, 28)
    d.eval()
    assert torch.equal(d.classify(x), d.classify(x))
    d.train()
    assert not torch.equal(d.classify(x), d.classify(x))


def test_d_needs_classes():
    with pytest.raises(ConfigError, match="at least 2 classes"):
        build_models(CFG, (1, 28, 28), num_classes=0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"model": {"arch": "ssgan"}}, "set data.labelled"),
        ({"model": {"arch": "ssgan", "conditional": True}, "data": {"labelled": 100}}, "unconditional G"),
        ({"model": {"arch": "dcgan"}, "data": {"labelled": 100}}, "set model.conditional=true or model.arch=ssgan"),
    ],
)
def test_configs_that_cannot_use_their_labels_are_refused(raw, message):
    with pytest.raises(ValidationError, match=message):
        RunConfig.model_validate(raw)


def test_data_dependent_init_gives_unit_pre_activations():
    _, d = build_models(CFG, (1, 28, 28), num_classes=10)
    d.eval()  # no noise, so the check sees exactly what the init saw
    x = torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    d.init_from_data(x)
    with torch.no_grad():
        pre = d.linear_layers()[0](x.flatten(1))
        logits = d.classify(x)
    torch.testing.assert_close(pre.mean(0), torch.zeros(32), atol=1e-4, rtol=0)
    torch.testing.assert_close(pre.std(0), torch.ones(32), atol=1e-3, rtol=0)
    torch.testing.assert_close(logits.std(0), torch.ones(10), atol=1e-3, rtol=0)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
def test_conv_layout_classifies_images_and_inits_per_channel(shape):
    cfg = SemiSupervisedConfig(layout="conv", d_widths=[8, 16, 16], ngf=8, nz=8, input_dropout=0.2)
    g, d = build_models(cfg, shape, num_classes=10)
    with torch.no_grad():
        x = g(g.sample_z(6, generator=torch.Generator().manual_seed(0)))
    assert x.shape == (6, *shape) and g.output_range == (-1.0, 1.0)
    d.eval()
    logits, features = d.forward_all(x)
    assert logits.shape == (6, 10) and features.shape == (6, 16)
    torch.testing.assert_close(d(x), torch.logsumexp(logits, dim=1))
    real = torch.rand(64, *shape, generator=torch.Generator().manual_seed(1)) * 2 - 1
    d.init_from_data(real)
    with torch.no_grad():
        pre = d.linear_layers()[0](real)
    torch.testing.assert_close(pre.mean((0, 2, 3)), torch.zeros(8), atol=1e-4, rtol=0)
    torch.testing.assert_close(pre.std((0, 2, 3)), torch.ones(8), atol=1e-3, rtol=0)
