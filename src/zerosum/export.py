"""`zerosum export RUN`: the generator as safetensors + a JSON config, loadable without unpickling anything.

A checkpoint holds everything training needs (both models, optimisers, RNG states) and is read with
`torch.load(weights_only=True)`. An export is what someone *receiving* a model needs: the generator's tensors in
the safetensors format, which is a JSON header plus raw bytes and cannot carry code, and `generator.json` with the
resolved config (validated field by field on load) and the SHA-256 of the weights file. `load_run` on an export
folder gives a `Run` whose D is None: sampling, interpolation, arithmetic and forgetting work on it; verbs that
need D (features, complete) say so.

    EXPORT/generator.safetensors   G's state dict (the EMA copy when training kept one)
    EXPORT/generator.json          {"format", "version", "config", "step", "ema", "source", "sha256"}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch

from zerosum.atomic import atomic_write_bytes, atomic_write_text
from zerosum.config import validate
from zerosum.errors import CheckpointError, ConfigError

FORMAT = "zerosum-generator"
VERSION = 1
WEIGHTS = "generator.safetensors"
META = "generator.json"
EXPORT_DIR = "export"


def is_export(path: str | Path) -> bool:
    path = Path(path)
    return (path / META).is_file() or (path.suffix == ".safetensors" and (path.parent / META).is_file())


def export_generator(run: Any, out: str | Path | None = None, overwrite: bool = False) -> Path:
    """Write `run`'s generator to `out` (default RUN/export/); returns the folder. Both files are atomic, the
    weights first, so a crash never leaves a JSON that points at missing or partial weights."""
    from safetensors.torch import save

    folder = Path(out) if out is not None else run.path / EXPORT_DIR
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {folder} is a file; give a folder for the export")
    if (folder / META).exists() and not overwrite:
        raise ConfigError(f"{folder} already holds an export; pass --overwrite or choose another --out")
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous().clone() for k, v in run.generator.state_dict().items()}
    blob = save(state, metadata={"format": FORMAT, "version": str(VERSION)})
    atomic_write_bytes(folder / WEIGHTS, lambda f: f.write(blob))
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "config": run.config.model_dump(mode="json"),
        "step": run.step,
        "ema": run.G_ema is not None,
        "source": Path(run.checkpoint).name,
        "sha256": hashlib.sha256(blob).hexdigest(),
    }
    atomic_write_text(folder / META, json.dumps(meta, indent=2) + "\n")
    return folder


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{folder / META} is not readable JSON ({err.__class__.__name__})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{folder / META} is not a zerosum generator export (no format {FORMAT!r})")
    if meta.get("version") != VERSION:
        version = meta.get("version")
        raise CheckpointError(f"{folder / META} has export version {version!r}; this zerosum reads {VERSION}")
    return meta


def load_export(path: str | Path, device: str | torch.device = "cpu") -> Any:
    """A `Run` (D None) from an export folder or its .safetensors file; nothing is unpickled."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    from zerosum.run import Run

    path = Path(path)
    folder = path.parent if path.suffix == ".safetensors" else path
    meta = _read_meta(folder)
    cfg = validate(meta.get("config"), origin=str(folder / META))
    if cfg.data_info is None:
        raise CheckpointError(f"{folder / META} lacks data_info; re-export the run with `zerosum export`")
    weights = folder / WEIGHTS
    try:
        blob = weights.read_bytes()
    except OSError as err:
        raise CheckpointError(f"{weights}: cannot read the weights ({err.strerror or err})") from None
    if hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
        raise CheckpointError(f"{weights} does not match the checksum in {META}: the file is damaged or was replaced")
    try:
        state = load(blob)
    except (SafetensorError, ValueError) as err:
        raise CheckpointError(f"{weights} is not a readable safetensors file ({str(err)[:120]})") from None
    from zerosum.run import build_run_models

    G, _ = build_run_models(cfg)
    try:
        G.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0][:200]
        raise CheckpointError(f"{weights} does not fit the architecture in {META}: {first}") from None
    device = torch.device(device)
    G = G.to(device).eval().requires_grad_(False)
    G_ema = G if meta.get("ema") else None
    return Run(folder, cfg, G, None, G_ema, int(meta.get("step", 0)), weights, device)
