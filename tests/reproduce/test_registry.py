"""The registry against its documentation: docs/reproduce.md names every experiment `--list` shows."""

from __future__ import annotations

import re
from pathlib import Path

from zerosum.reproduce import experiments

DOC = Path(__file__).resolve().parents[2] / "docs" / "reproduce.md"


def test_the_experiments_table_names_every_registered_experiment():
    table = DOC.read_text().split("## Experiments", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`([^`]+)`", cell)}
    registered = {e.name for e in experiments()}
    assert registered - documented == set(), "add these to docs/reproduce.md's table"
    assert documented - registered == set(), "the table names experiments that are not registered"
