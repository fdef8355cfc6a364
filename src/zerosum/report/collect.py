"""What a run's report shows, gathered from the run directory alone (the contract of run.py), as plain JSON data.

Nothing here loads torch or a checkpoint: a report is written in well under a second even for a long run, and
opens where no model can. Long logs are thinned to at most `MAX_POINTS` per curve (every row of an evaluation is
kept) and the preview timeline to at most `MAX_PREVIEWS` grids, so the file stays small for any run length.
"""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

from zerosum.training.logbook import SESSIONS, read_jsonl

CONFIG = "config.yaml"  # run.CONFIG, named here so that a report loads no torch (run.py does)
MAX_POINTS = 1500
MAX_PREVIEWS = 48
PREVIEW = re.compile(r"^step_(\d+)\.png$")
CHECKPOINT = re.compile(r"^step_(\d+)\.pt$")
MAX_FIGURE_BYTES = 4 << 20  # an explore picture larger than this is listed, not embedded


def png_data_uri(png: bytes) -> str:
    """PNG bytes as a data URI: how the report embeds pictures, and how `zerosum serve` answers with them."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def data_uri(path: Path) -> str:
    """A PNG file as a data URI."""
    return png_data_uri(Path(path).read_bytes())


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def thin(rows: list[dict[str, Any]], limit: int = MAX_POINTS) -> list[dict[str, Any]]:
    """Every k-th logged row so that at most `limit` remain (the last always); rows with an evaluation are kept."""
    if len(rows) <= limit:
        return rows
    k = math.ceil(len(rows) / limit)
    return [r for i, r in enumerate(rows) if i % k == 0 or i == len(rows) - 1 or any(c.startswith("eval/") for c in r)]


def series(rows: list[dict[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """name → {x: steps, y: values} for every numeric column of the log (non-finite values are gaps, dropped)."""
    out: dict[str, dict[str, list[float]]] = {}
    for row in thin(rows):
        step = row.get("step")
        for key, value in row.items():
            y = _number(value)
            if key == "step" or y is None or step is None:
                continue
            s = out.setdefault(key, {"x": [], "y": []})
            s["x"].append(step)
            s["y"].append(y)
    return out


def previews(run_dir: Path, limit: int = MAX_PREVIEWS) -> list[dict[str, Any]]:
    """The preview grids over training (samples/step_N.png), evenly thinned to `limit`, first and last kept."""
    found = sorted(
        (int(m.group(1)), p) for p in (run_dir / "samples").glob("step_*.png") if (m := PREVIEW.match(p.name))
    )
    if len(found) > limit:
        picks = sorted({round(i * (len(found) - 1) / (limit - 1)) for i in range(limit)})
        found = [found[i] for i in picks]
    return [{"step": step, "src": data_uri(p)} for step, p in found]


def checkpoints(run_dir: Path) -> list[dict[str, Any]]:
    folder = run_dir / "checkpoints"
    latest = None
    if (folder / "latest.json").is_file():
        try:
            latest = json.loads((folder / "latest.json").read_text()).get("checkpoint")
        except ValueError:
            latest = None
    out = []
    for p in sorted(folder.glob("*.pt")) if folder.is_dir() else []:
        m = CHECKPOINT.match(p.name)
        st = p.stat()
        out.append({"file": p.name, "step": int(m.group(1)) if m else None, "mb": round(st.st_size / 2**20, 2),
                    "modified": st.st_mtime, "latest": p.name == latest})  # fmt: skip
    return out


def evaluations(run_dir: Path) -> list[dict[str, Any]]:
    """eval/<protocol>.json: each record's scalar fields (the measured value, its protocol's settings)."""
    out = []
    for p in sorted((run_dir / "eval").glob("*.json")) if (run_dir / "eval").is_dir() else []:
        try:
            record = json.loads(p.read_text())
        except ValueError:
            continue
        if isinstance(record, dict):
            fields = {k: v for k, v in record.items() if isinstance(v, (str, int, float, bool)) or v is None}
            out.append({"name": p.stem, "fields": fields})
    return out


def figures(run_dir: Path) -> list[dict[str, Any]]:
    """Pictures the exploring verbs left in RUN/explore/ (walks, arithmetic, completions), embedded."""
    out = []
    for p in sorted((run_dir / "explore").glob("*.png")) if (run_dir / "explore").is_dir() else []:
        if p.stat().st_size <= MAX_FIGURE_BYTES:
            out.append({"caption": p.name, "src": data_uri(p)})
    return out


def collect_run(run_dir: str | Path) -> dict[str, Any]:
    """Everything a run's report shows, as JSON-ready data."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file():
        from zerosum.errors import ConfigError

        raise ConfigError(f"{run_dir} is not a zerosum run directory (no {CONFIG}); give a folder zerosum train wrote")
    text = (run_dir / CONFIG).read_text()
    config = yaml.safe_load(text) or {}
    rows = read_jsonl(run_dir / "metrics.jsonl")
    logged = [r for r in rows if "event" not in r]
    train = config.get("train", {})
    return {
        "kind": "run",
        "name": run_dir.resolve().name,
        "preset": config.get("preset"),
        "description": config.get("description"),
        "config_text": text,
        "config": config,
        "steps": train.get("steps"),
        "step": logged[-1]["step"] if logged else 0,
        "sessions": read_jsonl(run_dir / SESSIONS),
        "series": series(logged),
        "events": [r for r in rows if "event" in r],
        "previews": previews(run_dir),
        "checkpoints": checkpoints(run_dir),
        "evaluations": evaluations(run_dir),
        "figures": figures(run_dir),
    }


def collect_experiment(record_path: str | Path) -> dict[str, Any]:
    """A `zerosum reproduce` record (results/NAME.json): each budget's command, hardware, rows and figures."""
    path = Path(record_path)
    record = json.loads(path.read_text())
    budgets = []
    for name, b in (record.get("budgets") or {}).items():
        figs = []
        for fig in b.get("figures", []):
            file = (path.parent / fig["file"]).resolve()
            if file.is_relative_to(path.parent.resolve()) and file.is_file():
                figs.append({"caption": fig.get("caption", ""), "src": data_uri(file)})
        budgets.append({"budget": name, **{k: b.get(k) for k in ("command", "hardware", "date", "wall_s", "text")},
                        "rows": b.get("rows", []), "figures": figs})  # fmt: skip
    return {"kind": "experiment", "name": record.get("name", path.stem), "title": record.get("title", path.stem),
            "source": record.get("source", ""), "budgets": budgets}  # fmt: skip


def is_experiment_record(path: Path) -> bool:
    """A reproduce record: a JSON object with "budgets"."""
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        return isinstance(data := json.loads(path.read_text()), dict) and "budgets" in data
    except (ValueError, UnicodeDecodeError):
        return False
