"""Measured training times of the presets, for `zerosum presets`: how long a preset takes before one starts it.

The numbers come from `python benchmarks/preset_times.py --write` and are stored with the hardware and the date
they were measured on (presets/timings.json), since a laptop, a 2-core server and a GPU differ by 10× and more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from zerosum.config import describe_presets, resolve

TIMINGS_FILE = Path(__file__).with_name("presets") / "timings.json"


@dataclass(frozen=True)
class PresetRow:
    name: str
    steps: int
    description: str
    minutes: float | None = None  # measured estimate of a full run; None when not measured
    hardware: str = ""
    date: str = ""

    @property
    def time_text(self) -> str:
        """'≈ 3 min', '≈ 2.1 h', or 'not measured'."""
        if self.minutes is None:
            return "not measured"
        if self.minutes >= 90:
            return f"≈ {self.minutes / 60:.1f} h"
        return f"≈ {max(self.minutes, 1):.0f} min"


def measured() -> dict[str, dict]:
    """preset → {steps, s_per_step, minutes, hardware, date}, as the benchmark stored them."""
    if not TIMINGS_FILE.is_file():
        return {}
    return json.loads(TIMINGS_FILE.read_text()).get("presets", {})


def preset_rows() -> list[PresetRow]:
    """Every preset with its steps and, where measured for the same step count, its time."""
    times = measured()
    rows = []
    for name, text in describe_presets():
        steps = resolve(name).train.steps
        m = times.get(name)
        if m and m.get("steps") == steps:  # a time for another step count would mislead
            rows.append(PresetRow(name, steps, text, m["minutes"], m.get("hardware", ""), m.get("date", "")))
        else:
            rows.append(PresetRow(name, steps, text))
    return rows
