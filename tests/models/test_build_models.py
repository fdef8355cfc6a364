"""build_models: dispatch and the errors a user can cause through the config."""

import pytest
import torch

from zerosum.config import DCGANConfig, MLPConfig
from zerosum.errors import ConfigError
from zerosum.models import DCGANGenerator, MLPGenerator, build_models


def test_dispatch_by_arch():
    g, _ = build_models(DCGANConfig(ngf=4, ndf=4), (1, 28, 28))
    assert isinstance(g, DCGANGenerator) and g.output_range == (-1.0, 1.0)
    g, _ = build_models(MLPConfig(g_hidden=[8], d_hidden=[8]), [1, 28, 28])  # any sequence
    assert isinstance(g, MLPGenerator) and g.out_shape == (1, 28, 28) and g.output_range == (0.0, 1.0)


@pytest.mark.parametrize("arch", ["dcgan", "mlp"])
def test_conditional_needs_classes(arch):
    with pytest.raises(ConfigError, match="model.conditional needs a labelled dataset") as err:
        cfg = DCGANConfig(conditional=True, ngf=4, ndf=4) if arch == "dcgan" else MLPConfig(conditional=True)
        build_models(cfg, (1, 16, 16), num_classes=0)
    assert "\n" not in str(err.value)


def test_conditional_flag_off_ignores_num_classes():
    g, d = build_models(DCGANConfig(ngf=4, ndf=4), (1, 16, 16), num_classes=10)
    assert not g.conditional and not d.conditional and g.num_classes == 0 and g.embed is None


@pytest.mark.parametrize("shape", [(1, 28), (0,), (1, 2, 3, 4)])
def test_bad_data_shapes(shape):
    with pytest.raises(ConfigError, match=r"\(C, H, W\) or \(D,\)"):
        build_models(MLPConfig(), shape)


def test_models_output_logits_not_probabilities():
    torch.manual_seed(0)
    g, d = build_models(DCGANConfig(ngf=4, ndf=4), (1, 16, 16))
    with torch.no_grad():
        d.head.weight.mul_(1000)  # without a sigmoid inside, large weights give logits outside [0, 1]
        logits = d(g(g.sample_z(16)))
    assert logits.min() < 0 or logits.max() > 1
