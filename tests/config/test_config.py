import pytest

from zerosum.config import apply_overrides, describe_presets, parse_override, preset_names, resolve, to_yaml, validate
from zerosum.errors import ConfigError

EXPECTED = {"gan-mnist", "dcgan-mnist", "dcgan-fashion", "dcgan-cifar10", "dcgan-faces", "toy-1d", "ring-8", "grid-25"}


def test_every_required_preset_is_shipped_and_valid():
    assert EXPECTED | {"demo"} <= set(preset_names())
    for name in preset_names():
        cfg = resolve(name)
        assert cfg.preset == name
        assert cfg.description


def test_presets_have_one_line_descriptions():
    for name, text in describe_presets():
        assert text and "\n" not in text, name


def test_overrides_parse_yaml_values():
    assert parse_override("train.steps=500") == (["train", "steps"], 500)
    assert parse_override("train.betas=[0.0, 0.99]") == (["train", "betas"], [0.0, 0.99])
    assert parse_override("data.root=null") == (["data", "root"], None)
    assert resolve("demo", ["train.amp=off"]).train.amp == "off"  # not YAML 1.1's False
    assert resolve("demo", ["train.ema=0", "train.progress=no"]).train.progress is False
    cfg = resolve("dcgan-mnist", ["train.steps=7", "model.ngf=16"])
    assert (cfg.train.steps, cfg.model.ngf) == (7, 16)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("train.stepz=5", "train.stepz: unknown key"),
        ("train.steps=many", "train.steps"),
        ("train.steps=0", "train.steps"),
        ("model.arch=resnet", "model.arch"),
        ("train.betas=[0.5, 1.5]", "betas"),
        ("novalue", "expected key=value"),
    ],
)
def test_bad_overrides_give_one_line_errors(override, fragment):
    with pytest.raises(ConfigError) as err:
        resolve("dcgan-mnist", [override])
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="dcgan-mnist"):
        resolve("no-such-preset")


def test_override_into_a_value_is_refused():
    with pytest.raises(ConfigError, match="is a value"):
        apply_overrides({"train": {"steps": 3}}, ["train.steps.x=1"])


def test_yaml_round_trip_is_lossless():
    cfg = resolve("gan-mnist")
    import yaml

    assert validate(yaml.safe_load(to_yaml(cfg))) == cfg


def test_a_yaml_syntax_error_in_a_runs_config_names_its_line_and_column(tmp_path, capsys):
    from zerosum.cli import main

    run = tmp_path / "run"
    run.mkdir()
    text = to_yaml(resolve("demo"))
    (run / "config.yaml").write_text(text.replace("train:\n", "train:\n  steps: @3\n", 1))
    line = text.splitlines().index("train:") + 2  # counted from 1, like an editor
    assert main(["sample", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"zerosum: error: {run / 'config.yaml'}: YAML syntax error at line {line}, column 10: "
        "found character '@' that cannot start any token; fix the file or restore it"
    ]


def test_an_unclosed_quote_names_where_it_opened(tmp_path):
    from zerosum.config import load_config_file

    path = tmp_path / "config.yaml"
    path.write_text('train:\n  steps: 3\n  device: "cpu\n')
    with pytest.raises(ConfigError) as err:
        load_config_file(path)
    assert str(err.value) == (
        f"{path}: YAML syntax error at line 4, column 1: found unexpected end of stream "
        "(while scanning a quoted scalar at line 3, column 11); fix the file or restore it"
    )


def test_a_config_that_is_not_text_is_one_line(tmp_path):
    from zerosum.config import load_config_file

    path = tmp_path / "config.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="config.yaml: cannot read the run's config"):
        load_config_file(path)
