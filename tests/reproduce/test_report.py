"""Pages are rendered from records: a budget never erases another, RESULTS.md lists every row and what is missing."""

from __future__ import annotations

import json

import zerosum.reproduce  # noqa: F401  (registers the experiments)
from zerosum.reproduce.registry import Figure, Outcome, Row, get
from zerosum.reproduce.report import record_path, save_outcome, write_index


def _meta(budget: str) -> dict:
    return {"command": f"zerosum reproduce toy-1d --budget {budget}", "params": {"steps": 1}, "wall_s": 90.0,
            "hardware": "a CPU", "date": "2026-01-01", "reused": []}  # fmt: skip


def test_budgets_accumulate_and_index_lists_rows(tmp_path):
    exp = get("toy-1d")
    fig = tmp_path / "f.png"
    fig.write_bytes(b"png")
    save_outcome(tmp_path, exp, "paper", Outcome([Row("max |D|", "0.01", "0", "≤ 0.05", True)]), _meta("paper"))
    out = Outcome([Row("W1", "0.20", "0", "≤ 0.05", False, note="short")], [Figure(fig, "a figure")], "why")
    page = save_outcome(tmp_path, exp, "fast", out, _meta("fast"))
    record = json.loads(record_path(tmp_path, "toy-1d").read_text())
    assert set(record["budgets"]) == {"fast", "paper"}
    text = page.read_text()
    assert text.index("## Budget `fast`") < text.index("## Budget `paper`")
    assert "| W1 | 0 | ≤ 0.05 | 0.20 (short) | **no** |" in text
    assert "| max \\|D\\| | 0 |" in text  # a | inside a cell is escaped, or it would split the row
    assert "![a figure](toy-1d/fast-f.png)" in text and (tmp_path / "results/toy-1d/fast-f.png").read_bytes() == b"png"
    index = (tmp_path / "RESULTS.md").read_text()
    assert "| 0.20 | **no** | fast | 1.5 min | a CPU |" in index
    assert "| 0.01 | yes | paper |" in index
    missing = index.split("Not yet measured:")[1]
    assert "`ring-8`" in missing and "`toy-1d`" not in missing


def test_tried_notes_are_rendered_at_the_end_of_the_page(tmp_path):
    exp = get("toy-1d")
    out = Outcome([Row("W1", "0.20", "0", "≤ 0.05", False)], text="why")
    page = save_outcome(tmp_path, exp, "fast", out, _meta("fast"))
    assert "What was tried" not in page.read_text()
    (tmp_path / "results/toy-1d-tried.md").write_text("- lr 1e-3: W1 0.3\n")
    write_index(tmp_path)  # pages are re-rendered from their records, now with the notes
    text = page.read_text()
    assert text.index("## What was tried") > text.index("Parameters of this budget")
    assert text.rstrip().endswith("- lr 1e-3: W1 0.3")
