"""`reproduce(name, budget)`: run one experiment under a budget, time it, and write its page and the index."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from zerosum.data.sources import check_root
from zerosum.errors import ConfigError
from zerosum.reproduce.registry import check_budget, get
from zerosum.reproduce.report import save_outcome


def parse_params(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`KEY=VALUE` strings → a dict, values read as YAML (so `steps=2000` is an int)."""
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--param {item!r}: write KEY=VALUE, e.g. --param steps=2000")
        params[key.strip()] = yaml.safe_load(value)
    return params


def reproduce(
    name: str,
    budget: str = "fast",
    *,
    params: dict[str, Any] | None = None,
    out: str | Path = "runs/reproduce",
    docs: str | Path | None = None,
    data_root: str | None = None,
    fresh: bool = False,
    quiet: bool = False,
    force: bool = False,
) -> Path:
    """Train, evaluate and write DOCS/results/NAME.md for one experiment; returns the page's path.

    The pages go beside the runs (`out`) unless `docs` names another folder, such as the repository's docs/: a
    reproduction never rewrites published pages unless asked. Into `docs`, a budget changed by `params` is
    refused unless `force`, so a throwaway trial cannot replace a row measured with the budget's own settings.

    `params` overrides the budget's parameters (each experiment lists them in `zerosum reproduce --list`); the
    page's command names every override, so the numbers stay traceable to what produced them.
    """
    from zerosum.reproduce.job import Job  # job and runtime load torch: here, so listing experiments does not
    from zerosum.runtime import describe_hardware, resolve_device

    exp = get(name)
    check_budget(budget)
    params = dict(params or {})
    unknown = sorted(set(params) - set(exp.budgets[budget]))
    if unknown:
        known = ", ".join(exp.budgets[budget])
        raise ConfigError(f"{name} has no parameter {', '.join(unknown)}; its parameters are: {known}")
    changed = [k for k, v in params.items() if exp.budgets[budget][k] != v]
    if docs is not None and changed and not force:
        raise ConfigError(
            f"--param {', '.join(changed)} changes the {budget} budget, and --docs {docs} holds the budget's own "
            "numbers; drop --docs to write the page beside the runs, or add --force to replace the published page"
        )
    check_root(data_root)
    docs = Path(out) if docs is None else Path(docs)
    merged = {**exp.budgets[budget], **params}
    job = Job(exp, budget, merged, Path(out) / budget / name, data_root=data_root, fresh=fresh, quiet=quiet)
    job.out.mkdir(parents=True, exist_ok=True)
    tic = time.perf_counter()
    outcome = exp.fn(job)
    wall = time.perf_counter() - tic
    command = f"zerosum reproduce {name} --budget {budget}" + "".join(f" --param {k}={v}" for k, v in params.items())
    meta = {
        "command": command,
        "params": merged,
        "wall_s": round(wall, 1),
        "hardware": describe_hardware(resolve_device("auto")),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "reused": job.reused,
    }
    return save_outcome(Path(docs), exp, budget, outcome, meta)
