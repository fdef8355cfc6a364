"""The pages of `zerosum reproduce`: docs/results/NAME.json (the record), NAME.md (rendered from it) and RESULTS.md.

Each budget's outcome is stored in the experiment's JSON record, so a `fast` run never erases a `paper` one, and
every page is rendered from records alone: RESULTS.md can be rebuilt at any time without rerunning anything.
What was tried on the way to a recipe (other recipes, their commands and numbers) is kept by hand in
docs/results/NAME-tried.md and rendered at the end of the page, so a miss is explained without a rerun.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from zerosum.atomic import atomic_write_text
from zerosum.reproduce.registry import BUDGETS, Experiment, Outcome, experiments

RESULTS = "RESULTS.md"
FOLDER = "results"


def record_path(docs: Path, name: str) -> Path:
    return docs / FOLDER / f"{name}.json"


def read_record(docs: Path, name: str) -> dict[str, Any]:
    path = record_path(docs, name)
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def save_outcome(docs: Path, exp: Experiment, budget: str, outcome: Outcome, meta: dict[str, Any]) -> Path:
    """Copy the figures beside the page, store this budget's outcome in the record, re-render page and index."""
    figures_dir = docs / FOLDER / exp.name
    figures = []
    for fig in outcome.figures:
        target = figures_dir / f"{budget}-{fig.path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fig.path, target)
        figures.append({"file": f"{exp.name}/{target.name}", "caption": fig.caption})
    record = read_record(docs, exp.name)
    record.update(name=exp.name, title=exp.title, source=exp.source)
    record.setdefault("budgets", {})[budget] = {
        **meta,
        "rows": [asdict(r) for r in outcome.rows],
        "figures": figures,
        "text": outcome.text,
    }
    atomic_write_text(record_path(docs, exp.name), json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    write_index(docs)
    return docs / FOLDER / f"{exp.name}.md"


def tried_path(docs: Path, name: str) -> Path:
    return docs / FOLDER / f"{name}-tried.md"


def read_tried(docs: Path, name: str) -> str:
    """The hand-kept notes on other recipes tried for this experiment ("" when there are none)."""
    path = tried_path(docs, name)
    return path.read_text().strip() if path.is_file() else ""


def _cell(text: str) -> str:
    """A table cell: a literal | (as in |D(x) − ½|) would end the cell."""
    return str(text).replace("|", "\\|")


def _met(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def render_page(record: dict[str, Any], tried: str = "") -> str:
    """The page of one experiment: each budget's command, hardware, table, figures and text, then `tried`."""
    lines = [f"# `{record['name']}`: {record['title']}", "", f"Reproduces: {record['source']}.", ""]
    for budget in BUDGETS:
        b = record.get("budgets", {}).get(budget)
        if b is None:
            continue
        lines += [f"## Budget `{budget}`", "", "```bash", b["command"], "```", ""]
        reused = f"; reused finished runs: {', '.join(b['reused'])}" if b.get("reused") else ""
        lines += [f"{b['hardware']}; wall time {_minutes(b['wall_s'])} ({b['date']}){reused}.", ""]
        lines += ["| metric | paper / anchor | target | zerosum | met |", "|---|---|---|---|---|"]
        for r in b["rows"]:
            note = f" ({r['note']})" if r["note"] else ""
            cells = [r["metric"], r["anchor"], r["target"], f"{r['value']}{note}"]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + f" | {_met(r['met'])} |")
        lines.append("")
        for fig in b["figures"]:
            lines += [f"![{fig['caption']}]({fig['file']})", "", f"*{fig['caption']}*", ""]
        if b["text"]:
            lines += [b["text"].strip(), ""]
        params = ", ".join(f"{k}={v}" for k, v in b["params"].items())
        lines += [f"Parameters of this budget: {params}.", ""]
    if tried:
        lines += ["## What was tried", "", tried, ""]
    return "\n".join(lines)


def write_index(docs: Path) -> Path:
    """docs/RESULTS.md: one table over every experiment and budget that has a record; pages are re-rendered too."""
    lines = [
        "# Results",
        "",
        "Each row was measured by `zerosum reproduce NAME --budget BUDGET`, which trains, evaluates and writes the",
        "experiment's page (figures, parameters, analysis) under [results/](results/). A row that misses its target",
        "says so; the page says what was tried. `zerosum reproduce --list` names every experiment.",
        "",
        "| experiment | metric | paper / anchor | target | zerosum | met | budget | wall time | hardware |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    missing = []
    for exp in experiments():
        record = read_record(docs, exp.name)
        budgets = record.get("budgets", {})
        if budgets:
            atomic_write_text(docs / FOLDER / f"{exp.name}.md", render_page(record, read_tried(docs, exp.name)))
        else:
            missing.append(exp.name)
        for budget in BUDGETS:
            b = budgets.get(budget)
            if b is None:
                continue
            link = f"[{exp.name}]({FOLDER}/{exp.name}.md)"
            for r in b["rows"]:
                cells = [_cell(r[k]) for k in ("metric", "anchor", "target", "value")]
                cells = [link, *cells, _met(r["met"]), budget, _minutes(b["wall_s"]), _cell(b["hardware"])]
                lines.append("| " + " | ".join(cells) + " |")
    if missing:
        lines += ["", f"Not yet measured: {', '.join(f'`{m}`' for m in missing)}."]
    path = docs / RESULTS
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path
