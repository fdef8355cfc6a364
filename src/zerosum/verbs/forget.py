"""`zerosum forget RUN --boxes boxes.json|detect`: drop the feature maps that draw an object (DCGAN paper §6.2).

boxes.json says where the object is on some samples of a numbered sheet (`zerosum sample RUN --numbered`,
which saves the z of every numbered cell in an .npz beside its PNG):

    {"sheet": "sheet.npz",                        optional; relative to the boxes file; --sheet overrides it
     "boxes": {"12": [[x0, y0, x1, y1], ...],     sheet id → the object's boxes on that sample, in image
               "30": []}}                         pixels, x1/y1 exclusive; [] = a sample without the object

`--boxes detect` needs no drawing at all, for runs on the synthetic `objects` set: it draws --n-detect samples
(seed --seed + 1), finds the red object with the dataset's colour detector, and writes what it used beside the
picture in the format above (PICTURE_boxes.json + PICTURE_sheet.npz), ready to be edited and passed back.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from zerosum.verbs import add_output_args

FORMAT = """boxes.json:
  {"sheet": "sheet.npz",
   "boxes": {"12": [[x0, y0, x1, y1], ...], "30": []}}
ids are the numbers on a sheet from `zerosum sample RUN --numbered` (its .npz holds z); boxes are in image pixels,
x1/y1 exclusive; [] marks a sample without the object. "sheet" is optional (relative to the boxes file; --sheet
overrides it; default RUN_DIR/sample_seed0.npz). `--boxes detect` (runs on `objects` only) finds the boxes itself."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forget",
        help="find the feature maps that draw an object and regenerate without them (DCGAN paper §6.2)",
        description="Fit a logistic regression on G's second-to-last layer (positives inside the boxes, negatives "
        "elsewhere), zero every map with a positive weight, and redraw held-out z with and without them.",
        epilog=FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run_dir")
    p.add_argument("--boxes", required=True, help="boxes.json (format below), or 'detect' for runs on objects")
    p.add_argument("--sheet", help="the numbered sheet's .npz with z (overrides the file's \"sheet\")")
    p.add_argument("--n-show", type=int, default=16, help="held-out z shown in the picture (default 16)")
    p.add_argument("--n-measure", type=int, default=500, help="held-out z measured (default 500)")
    p.add_argument("--n-detect", type=int, default=200, help="samples boxed by --boxes detect (default 200)")
    p.add_argument("--threshold", type=float, default=0.0, help="drop maps with weight above this (paper: 0)")
    p.add_argument(
        "--seed", type=int, default=1, help="seed of the held-out z and the fit (default 1); detect's sheet: seed + 1"
    )
    add_output_args(p, "forget")
    p.set_defaults(handler=_run)


def load_z(path: Path, nz: int) -> Any:
    """The z (N×nz float32 tensor) of a sheet .npz, read here with numpy; one-line errors otherwise."""
    import zipfile

    import numpy as np
    import torch

    from zerosum.errors import ConfigError

    hint = "make one with `zerosum sample RUN --numbered`"
    if not path.is_file():
        raise ConfigError(f"sheet {path} not found; {hint} (the .npz beside the PNG), or pass --sheet")
    try:
        with np.load(path, allow_pickle=False) as data:
            z = np.asarray(data["z"]) if "z" in data.files else None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        raise ConfigError(f"cannot read sheet {path}; {hint}") from None
    if z is None or z.ndim != 2 or z.shape[1] != nz or not np.issubdtype(z.dtype, np.floating):
        got = "no z" if z is None else f"z of shape {z.shape}"
        raise ConfigError(f"{path} holds {got}, not N×{nz} floats for this run; {hint}")
    return torch.from_numpy(z.astype(np.float32))


def _check_box(box: Any, size: int, where: str) -> list[float]:
    from zerosum.errors import ConfigError

    ok = isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)
    if not ok or isinstance(box[0], bool):
        raise ConfigError(f"{where}: a box is [x0, y0, x1, y1] in pixels, got {box!r}")
    x0, y0, x1, y1 = (float(v) for v in box)
    if not (0 <= x0 < x1 <= size and 0 <= y0 < y1 <= size):
        raise ConfigError(f"{where}: box {box} must satisfy 0 <= x0 < x1 <= {size} and 0 <= y0 < y1 <= {size}")
    return [x0, y0, x1, y1]


def read_boxes(path: Path, size: int, nz: int, sheet: str | None, run_dir: Path) -> tuple[Any, list, Path, list]:
    """boxes.json → (z of the boxed ids, their box lists, the sheet's path, the ids), every field validated."""
    from zerosum.errors import ConfigError

    try:
        raw = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(
            f"cannot read boxes file {path} ({type(err).__name__}); see `zerosum forget --help`"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("boxes"), dict) or not raw["boxes"]:
        raise ConfigError(f'{path}: expected {{"sheet": ..., "boxes": {{"ID": [[x0, y0, x1, y1], ...]}}}}')
    named = sheet or raw.get("sheet")
    if named is None:
        where = run_dir / "sample_seed0.npz"
    else:
        where = Path(str(named)).expanduser()
        if not where.is_absolute() and sheet is None and (path.parent / where).is_file():
            where = path.parent / where
    z = load_z(where, nz)
    ids, boxes = [], []
    for key, value in raw["boxes"].items():
        if not str(key).isdigit() or int(key) >= len(z):
            raise ConfigError(f"{path}: id {key!r} is not on the sheet {where} (ids 0..{len(z) - 1})")
        if not isinstance(value, list):
            raise ConfigError(f"{path}: id {key}: expected a list of boxes [[x0, y0, x1, y1], ...], got {value!r}")
        ids.append(int(key))
        boxes.append([_check_box(b, size, f"{path}: id {key}") for b in value])
    return z[ids], boxes, where, ids


def detect_boxes(run: Any, n: int, seed: int, picture: Path) -> tuple[Any, list, Path]:
    """Boxes of the red object on n samples of a run on `objects`, found by the dataset's detector; the z and
    boxes are written beside `picture` (PICTURE_sheet.npz, PICTURE_boxes.json) so users see the format."""
    import torch

    from zerosum.atomic import atomic_write_text
    from zerosum.data import objects
    from zerosum.errors import ConfigError
    from zerosum.sampling import sample, save_npz

    if run.config.data.name != objects.NAME or run.config.data_info.shape[0] != 3:
        raise ConfigError(
            f"--boxes detect finds the red object of runs on `objects`; {run.path} is on {run.config.data.name}: "
            "give a boxes.json instead (format in `zerosum forget --help`)"
        )
    if n < 2:
        raise ConfigError(f"--n-detect {n}: draw at least 2 samples to find boxes on")
    drawn = sample(run, n, seed=seed)
    found = objects.object_boxes(objects.find_object(drawn.images, drawn.value_range))
    boxes = [[] if torch.isnan(b[0]) else [[int(v) for v in b]] for b in found]
    stem = picture.with_suffix("")
    sheet = save_npz(drawn, Path(f"{stem}_sheet.npz"))
    rows = ",\n".join(f'    "{i}": {json.dumps(b)}' for i, b in enumerate(boxes))  # one sample per line
    boxes_path = Path(f"{stem}_boxes.json")
    atomic_write_text(boxes_path, f'{{\n  "sheet": {json.dumps(sheet.name)},\n  "boxes": {{\n{rows}\n  }}\n}}\n')
    return drawn.z, boxes, boxes_path


def _run(args: argparse.Namespace) -> int:
    import zerosum
    from zerosum.explore import output_paths, require_images
    from zerosum.latent.forget import forget
    from zerosum.run import require_gan

    run = require_gan(zerosum.load_run(args.run_dir, args.checkpoint), "forget")
    require_images(run, "forget")
    size, nz = int(run.generator.out_shape[-1]), int(run.generator.nz)
    if args.boxes == "detect":
        picture, _ = output_paths(run, "forget", args.out)
        z, boxes, boxes_path = detect_boxes(run, args.n_detect, args.seed + 1, picture)
        info = {"boxes_from": "detect", "boxes_file": boxes_path, "sheet_seed": args.seed + 1}
    else:
        path = Path(args.boxes)
        z, boxes, sheet, ids = read_boxes(path, size, nz, args.sheet, Path(args.run_dir))
        info = {"boxes_from": str(path), "sheet": str(sheet), "ids": ids}
    picture, record_path, rec = forget(
        run, z, boxes, n_show=args.n_show, n_measure=args.n_measure, seed=args.seed, threshold=args.threshold,
        out=args.out, info=info,
    )  # fmt: skip
    mass = rec["object_mass"]
    what = f"dropped {rec['n_dropped']}/{rec['n_maps']} maps, fit accuracy {rec['train_accuracy']:.2f}"
    if mass is not None:
        before, after, drop = mass["before"]["mass"], mass["after"]["mass"], mass["after_relative_drop"]
        what += f", object pixel mass {before:.4f} → {after:.4f}"
        if drop is None:
            what += " (the samples hold no object to forget)"
        else:
            what += f" ({drop:.0%} less; as many random maps: {mass['control_relative_drop']:.0%})"
    print(f"wrote {picture} and {record_path} ({what})")
    if args.boxes == "detect":
        print(f"boxes used: {info['boxes_file']} (edit it and pass it back with --boxes)")
    return 0
