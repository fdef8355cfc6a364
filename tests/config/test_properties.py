"""Property test over `--set` overrides: whatever a user types, the result is a valid RunConfig or a ConfigError
with a one-line message, never another exception."""

from __future__ import annotations

import math
import typing

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from zerosum.config import RunConfig, resolve, to_yaml, validate
from zerosum.errors import ConfigError


def _paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted key of the schema, sections included."""
    out = []
    for name, field in model.model_fields.items():
        out.append(prefix + name)
        for section in _sections(field.annotation):
            out += [p for p in _paths(section, f"{prefix}{name}.") if p not in out]
    return out


def _sections(ann: object) -> list[type[BaseModel]]:
    """The section classes an annotation holds: itself, or each member of a union (the model families)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [s for arg in typing.get_args(ann) for s in _sections(arg)]


VALID_KEYS = _paths(RunConfig)

# Values users (and YAML) make tricky: numbers of every shape, YAML 1.1 words, tags, anchors, flow collections.
TRICKY = [
    "", " ", "0", "1", "-1", "3.5", "1e400", "-.inf", ".nan", "0x1F", "1_000", "true", "off", "Yes", "null", "~",
    "[1, 2]", "[0.5, 1.5]", "[]", "{}", "{a: 1}", "{1: 2}", "[1", "{a", "'quoted'", '"x', "a: b", "- 1", "&a [*a]",
    "!!python/object/apply:os.system ['echo hi']", "!!binary aGk=", "!!set {a}", "2001-01-01", "cpu", "cuda:7",
    "fd_lenet,confident_lenet", "mnist", "../../etc", "\n", "a\nb", "\t1", "=", "x=y", "#comment", "%YAML 1.2",
]  # fmt: skip

_BREAKS = list(". =\n\r\t\x0b\x0c\x1c\x85\u2028")  # splitlines() breaks on most of these
_ident = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz_"), min_size=1, max_size=8)
_keys = st.one_of(
    st.sampled_from(VALID_KEYS),
    st.builds(lambda k, extra: f"{k}.{extra}", st.sampled_from(VALID_KEYS), _ident),  # too deep / unknown leaf
    st.lists(_ident, min_size=1, max_size=4).map(".".join),  # made-up sections and keys
    st.builds(
        lambda k, j: k[:1] + j + k[1:],  # line breaks inside a key
        st.sampled_from(VALID_KEYS),
        st.text(st.sampled_from(_BREAKS), min_size=1, max_size=3),
    ),
    st.text(max_size=12),  # anything at all, dots, spaces, '=' and newlines included
)
_values = st.one_of(
    st.sampled_from(TRICKY),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=16),
)
_override = st.one_of(st.builds(lambda k, v: f"{k}={v}", _keys, _values), st.text(max_size=20))

SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _check(outcome: RunConfig | ConfigError) -> None:
    if isinstance(outcome, ConfigError):
        message = str(outcome)
        assert message.strip() and len(message.splitlines()) == 1, repr(message)
        return
    assert isinstance(outcome, RunConfig)
    again = validate(yaml.safe_load(to_yaml(outcome)), "config.yaml")  # what a run directory stores reads back
    assert _comparable(again.model_dump()) == _comparable(outcome.model_dump(mode="json"))


def _comparable(value):
    """NaN compares unequal to itself; replace it so a round trip can be compared."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def _resolve(*args, **kwargs) -> RunConfig | ConfigError:
    try:
        return resolve(*args, **kwargs)
    except ConfigError as err:
        return err


@SETTINGS
@given(st.sampled_from(["demo", "gan-mnist", None]), st.lists(_override, min_size=1, max_size=3))
def test_any_override_gives_a_config_or_a_one_line_config_error(preset, overrides):
    _check(_resolve(preset, overrides))


@SETTINGS
@given(st.lists(_override, min_size=1, max_size=3))
def test_overrides_on_a_saved_run_config(overrides):
    """`zerosum train --resume RUN --set ...` resolves against the run's saved config."""
    saved = resolve("demo", ["train.steps=5"]).model_dump(mode="json")
    _check(_resolve(base=saved, overrides=overrides))


@pytest.mark.parametrize(
    "override",
    ["train.steps=12", "train.amp=off", "eval.metrics=fd_lenet,confident_lenet", "data.params={n: 3}"],
)
def test_known_good_overrides_apply(override):
    cfg = resolve("demo", [override])
    key, value = override.split("=", 1)
    section, name = key.split(".")
    got = getattr(getattr(cfg, section), name)
    expected = {"12": 12, "off": "off", "fd_lenet,confident_lenet": ["fd_lenet", "confident_lenet"]}
    assert got == expected.get(value, {"n": 3})


@pytest.mark.parametrize("key", ["train.a\nb", "data\n.x", "x\r", "train.st\u2028eps"])
def test_keys_with_line_breaks_still_give_one_line(key):
    with pytest.raises(ConfigError) as err:
        resolve("demo", [f"{key}=1"])
    assert len(str(err.value).splitlines()) == 1, repr(str(err.value))
