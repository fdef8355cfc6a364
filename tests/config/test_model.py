"""The `model` section as one class per family: each takes its own keys, old flat configs still load."""

import pytest
import yaml

import zerosum
from zerosum.config import DCGANConfig, MLPConfig, family_keys, load_config_file, parse_model, resolve, to_yaml
from zerosum.errors import ConfigError


def test_the_family_follows_arch_and_a_missing_arch_is_a_dcgan():
    assert isinstance(resolve("gan-mnist").model, MLPConfig)
    assert isinstance(resolve("dcgan-mnist").model, DCGANConfig)
    assert isinstance(parse_model({"nz": 8}), DCGANConfig) and parse_model({"nz": 8}).nz == 8
    assert to_yaml(resolve("gan-mnist")).split("model:\n")[1].startswith("  arch: mlp\n")  # the tag comes first


def test_each_family_holds_only_its_keys():
    mlp, dcgan = set(family_keys("mlp")), set(family_keys("dcgan"))
    shared = {"arch", "nz", "z_dist", "conditional", "embed_dim", "pack", "bn_stats", "g_output"}
    assert mlp & dcgan == shared
    assert {"ngf", "ndf", "batch_norm", "d_conditioning"} <= dcgan - mlp
    assert {"g_hidden", "maxout_pieces", "g_batch_norm"} <= mlp - dcgan
    assert "ngf" not in resolve("gan-mnist").model.model_dump()


@pytest.mark.parametrize(
    ("preset", "override", "fragment"),
    [
        ("gan-mnist", "model.ngf=32", r"model\.ngf: not a key of model\.arch=mlp \(it belongs to arch=dcgan\)"),
        ("dcgan-mnist", "model.g_hidden=[8]", r"model\.g_hidden: not a key of model\.arch=dcgan"),
        ("dcgan-mnist", "model.widht=3", r"model\.widht: unknown key for model\.arch=dcgan"),
        ("dcgan-mnist", "model.arch=resnet", r"model\.arch: must be one of dcgan, mlp"),
    ],
)
def test_a_key_of_another_family_is_refused_in_one_line(preset, override, fragment):
    with pytest.raises(ConfigError, match=fragment) as err:
        resolve(preset, [override])
    assert "\n" not in str(err.value)


def test_switching_arch_drops_the_presets_keys_of_the_other_family_but_not_the_users():
    cfg = resolve("demo", ["model.arch=mlp", "model.g_hidden=[16]"])
    assert isinstance(cfg.model, MLPConfig) and cfg.model.g_hidden == [16]
    assert cfg.model.nz == resolve("demo").model.nz  # shared keys carry over
    with pytest.raises(ConfigError, match=r"model\.ngf"):
        resolve("demo", ["model.arch=mlp", "model.ngf=16"])


def _flat(cfg) -> dict:
    """A config as versions before the split wrote it: every family's keys in one section."""
    raw = cfg.model_dump(mode="json")
    for family in (DCGANConfig(), MLPConfig()):
        for key, value in family.model_dump(mode="json").items():
            raw["model"].setdefault(key, value)
    return raw


def test_a_flat_config_from_before_the_split_loads_and_a_changed_foreign_key_is_refused(tmp_path):
    raw = _flat(resolve("gan-mnist"))
    assert raw["model"]["ngf"] == 64 and raw["model"]["arch"] == "mlp"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert load_config_file(path) == resolve("gan-mnist")
    raw["model"]["ngf"] = 32  # not the default: it may mean something, so it is not dropped silently
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"model\.ngf: not a key of model\.arch=mlp"):
        load_config_file(path)


def test_a_run_whose_files_hold_the_flat_section_loads_and_resumes(tmp_path):
    """Old run directories and checkpoints keep working: config.yaml and the checkpoint's copy both flat."""
    import torch

    out = tmp_path / "run"
    over = ["train.steps=2", "train.ckpt_every=2", "train.progress=false", "train.tensorboard=false"]
    zerosum.train("toy-1d", overrides=over, out=out)
    flat = _flat(zerosum.load_run(out).config)
    (out / "config.yaml").write_text(yaml.safe_dump(flat))
    ckpt = out / "checkpoints" / "step_00000002.pt"
    state = torch.load(ckpt, weights_only=True)
    state["config"]["model"] = flat["model"]
    torch.save(state, ckpt)
    run = zerosum.load_run(out)
    assert isinstance(run.config.model, MLPConfig) and run.step == 2
    result = zerosum.resume(out, overrides=["train.steps=3"])
    assert result.status == "finished" and zerosum.load_run(out).step == 3
