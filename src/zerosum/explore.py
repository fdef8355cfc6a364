"""What every exploring verb (interpolate, arithmetic, forget, features, complete) shares.

Each verb reads a run directory and leaves a picture plus a JSON record of what it did, so a figure in a report
can always be traced back to the checkpoint, the seeds and the settings that drew it. Without `--out` both go to
RUN/explore/VERB.png and RUN/explore/VERB.json.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from zerosum.atomic import atomic_write_text
from zerosum.errors import ConfigError
from zerosum.run import Run

EXPLORE_DIR = "explore"


def output_paths(run: Run, verb: str, out: str | Path | None, suffix: str = ".png") -> tuple[Path, Path]:
    """(picture, record) paths: `out` (a file path; its folder is created) or RUN/explore/VERB + suffix."""
    if out is None:
        picture = run.path / EXPLORE_DIR / f"{verb}{suffix}"
    else:
        picture = Path(out)
        if picture.is_dir():
            raise ConfigError(f"--out {picture} is a folder; give a file name such as {picture / (verb + suffix)}")
        if not picture.suffix:
            picture = picture.with_suffix(suffix)
    picture.parent.mkdir(parents=True, exist_ok=True)
    return picture, picture.with_suffix(".json")


def _plain(value: Any) -> Any:
    """JSON-able copy: tensors and arrays become lists, numpy scalars Python numbers, NaN/inf None."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def write_record(path: Path, run: Run, verb: str, record: dict[str, Any]) -> Path:
    """The verb's JSON record, atomically, headed by which run and checkpoint it used."""
    head = {"verb": verb, "run": str(run.path), "checkpoint": str(run.checkpoint), "step": run.step}
    atomic_write_text(Path(path), json.dumps(_plain({**head, **record}), indent=2) + "\n")
    return Path(path)


def _parse_list(text: str, flag: str, kind: type, example: str) -> list:
    what = "integers" if kind is int else "numbers"
    try:
        values = [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: expected comma-separated {what} like {example}") from None
    if not values:
        raise ConfigError(f"{flag} is empty: give comma-separated {what} like {example}")
    return values


def parse_ints(text: str, flag: str) -> list[int]:
    """'3,7,12' → [3, 7, 12], with a one-line error naming the flag."""
    return _parse_list(text, flag, int, "3,7,12")


def parse_floats(text: str, flag: str) -> list[float]:
    """'-1,0,0.5' → [-1.0, 0.0, 0.5], with a one-line error naming the flag."""
    return _parse_list(text, flag, float, "-2,-1,0,1,2")


def require_images(run: Run, verb: str) -> None:
    """The exploring verbs work on images; a run on 2-D toy points gets told so up front."""
    if run.config.data_info.kind != "image":
        raise ConfigError(
            f"zerosum {verb} needs a run trained on images; {run.path} models {run.config.data.name} points"
        )


def require_discriminator(run: Run, verb: str) -> None:
    """features and complete use D; a generator export (`zerosum export`) does not hold one."""
    if run.D is None:
        raise ConfigError(f"zerosum {verb} needs the discriminator, which the export {run.path} lacks; give the run")
