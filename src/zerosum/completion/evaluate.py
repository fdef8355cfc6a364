"""Complete held-out images with a trained run and with the two baselines, and score every hole.

The numbers answer one question: does what G learned fill a hole better than what the surrounding pixels alone
suggest (mean colour, Telea's propagation)? Held-out (test split) images keep G from scoring by memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from zerosum.completion.baselines import mean_fill, telea_fill
from zerosum.completion.blend import BLENDS, blend, paste
from zerosum.completion.optimise import SearchResult, search_progress, search_z
from zerosum.completion.quality import hole_psnr, hole_ssim, mean_std
from zerosum.errors import ConfigError, DataError
from zerosum.progress import Progress
from zerosum.run import Run

METHODS = {
    "zerosum": "zerosum (with the chosen blend)",
    "zerosum_raw": "zerosum (G(z), no blend)",
    "mean_fill": "mean-colour fill",
    "telea": "OpenCV Telea",
}


@dataclass
class Settings:
    """The latent search and the blend, with defaults chosen on a validation slice of MNIST and Fashion-MNIST test
    images disjoint from the reported ones (`benchmarks/completion.py --validation`): lr 0.1 beat 0.01, 0.03 and 0.3;
    500 steps beat 200 and 8 restarts beat 4 (each by 0.3-0.4 dB); λ 0.03 was best on Fashion-MNIST (+0.35 dB over
    0.003) and worst on MNIST (−0.5 dB), so 0.003 is the compromise; Poisson blending added about 0.1 dB over
    pasting G(z) in."""

    steps: int = 500
    restarts: int = 8
    lam: float = 0.003
    lr: float = 0.1
    window: int = 7
    floor: float = 0.0
    blend: str = "poisson"
    batch: int = 64  # images per search batch (× restarts rows through G and D)
    seed: int = 0

    def check(self) -> Settings:
        if self.steps < 0 or self.restarts < 1 or self.batch < 1:
            raise ConfigError("--steps must be >= 0 and --restarts >= 1")
        if self.lam < 0:
            raise ConfigError(f"--lam {self.lam}: the perceptual weight must be >= 0")
        if self.blend not in BLENDS:
            raise ConfigError(f"--blend {self.blend!r} is not a blend; choose one of {', '.join(BLENDS)}")
        return self


@dataclass
class Evaluation:
    """Originals and known masks, each method's completed images (float, G's range) and per-image scores."""

    original: torch.Tensor
    known: torch.Tensor
    outputs: dict[str, torch.Tensor]
    scores: dict[str, dict[str, torch.Tensor]]
    search: SearchResult
    settings: Settings
    seconds: float
    method_seconds: dict[str, float] = field(default_factory=dict)
    value_range: tuple[float, float] = (-1.0, 1.0)


def value_range(run: Run) -> tuple[float, float]:
    """The pixel range G draws in (DCGAN: (−1, 1)); images are scaled to it before any comparison."""
    return run.generator.output_range or (-1.0, 1.0)


def to_float(images: torch.Tensor, vr: tuple[float, float]) -> torch.Tensor:
    """uint8 → float in `vr`."""
    return images.to(torch.float32) * ((vr[1] - vr[0]) / 255.0) + vr[0]


def dataset_images(run: Run, name: str, split: str = "test", n: int = 16, seed: int = 0, offset: int = 0):
    """n images of a dataset shaped like the run's (size, channels): entries offset..offset+n of a seeded
    permutation, so a validation slice (a larger offset) never overlaps the reported one. Returns (images, ids)."""
    from zerosum.data import load_dataset

    cfg = run.config.data.model_copy(update={"name": name, "split": split, "limit": None, "params": {}})
    data = load_dataset(cfg)
    if data.kind != "image":
        raise DataError(f"--dataset {name} holds points, not images; complete an image dataset")
    if offset + n > len(data):
        raise ConfigError(f"--n {n} (from {offset}) is more than the {len(data)} images of {name} {split}")
    ids = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[offset : offset + n]
    return data.images[ids], ids


def held_out_images(run: Run, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, str]:
    """n images of the run's own dataset to complete: its test split where it has one (images G never saw), else
    the split it trained on (a folder without train/ and test/, such as the Olivetti faces). Returns (images, ids,
    split)."""
    name = run.config.data.name
    try:
        return (*dataset_images(run, name, "test", n, seed), "test")
    except (ConfigError, DataError):
        split = run.config.data.split
        if split == "test":
            raise
        return (*dataset_images(run, name, split, n, seed), split)


def fit_image(run: Run, image: torch.Tensor) -> torch.Tensor:
    """One uint8 C×H×W image (1 or 3 channels) at the run's channels and size (shorter side scaled, then
    center-cropped), as the run's training images were prepared."""
    from zerosum.data.transforms import prepare

    c, size = int(run.config.data_info.shape[0]), int(run.config.data_info.shape[-1])
    return prepare(image[None], c, size, run.config.data.resize)[0]


def file_images(run: Run, paths: Sequence[str | Path]) -> torch.Tensor:
    """Image files as uint8 N×C×H×W at the run's channels and size (`fit_image`)."""
    from zerosum.images import load_image

    out = []
    for p in paths:
        if not Path(p).is_file():
            raise DataError(f"--images {p}: no such file")
        out.append(fit_image(run, load_image(p)))
    return torch.stack(out)


def evaluate(
    run: Run,
    images: torch.Tensor,
    known: torch.Tensor,
    settings: Settings | None = None,
    baselines: bool = True,
    log: Callable[[str], None] | None = None,
    bar: Progress | None = None,
    watch: Callable[[int, torch.Tensor], None] | None = None,
) -> Evaluation:
    """Complete uint8 `images` (N×C×H×W) whose `known` pixels (bool N×1×H×W) are given: zerosum, and with
    `baselines` also mean fill and Telea; score each on the hole. `bar` counts the search's Adam steps (a bar of
    its own when None) and `watch` sees the search as it goes (`search_z`)."""
    s = (settings or Settings()).check()
    vr = value_range(run)
    device = run.device
    original = to_float(images, vr).to(device)
    known = known.to(device)
    start = time.perf_counter()
    parts: list[SearchResult] = []
    starts = range(0, len(original), s.batch)
    shown = nullcontext(bar) if bar is not None else search_progress(s.steps * len(starts), len(original), s.restarts)
    with shown as bar:  # one bar over every batch
        for i in starts:
            parts.append(
                search_z(
                    run.generator, run.D, original[i : i + s.batch], known[i : i + s.batch],
                    steps=s.steps, restarts=s.restarts, lam=s.lam, lr=s.lr, window=s.window, floor=s.floor,
                    seed=s.seed + i, bar=bar, watch=watch,
                )
            )  # fmt: skip
            if log:
                log(f"completed {min(i + s.batch, len(original))}/{len(original)} images")
    search = SearchResult(
        *(torch.cat([getattr(p, k) for p in parts]) for k in ("z", "images", "contextual", "perceptual", "total")),
        y=torch.cat([p.y for p in parts]) if parts and parts[0].y is not None else None,
        history=parts[0].history if parts else [],
    )
    seconds = {"zerosum": time.perf_counter() - start}
    raw = search.images.clamp(*vr)
    outputs = {"zerosum": blend(raw, original, known, s.blend, vr), "zerosum_raw": paste(raw, original, known)}
    if baselines:
        t = time.perf_counter()
        outputs["mean_fill"] = mean_fill(original, known)
        seconds["mean_fill"] = time.perf_counter() - t
        t = time.perf_counter()
        outputs["telea"] = telea_fill(original.cpu(), known.cpu(), vr).to(device)
        seconds["telea"] = time.perf_counter() - t
    scores = {name: score(out, original, known, vr) for name, out in outputs.items()}
    return Evaluation(original, known, outputs, scores, search, s, time.perf_counter() - start, seconds, vr)


def score(pred: torch.Tensor, original: torch.Tensor, known: torch.Tensor, vr: tuple[float, float]):
    """{"psnr": per-image hole PSNR, "ssim": per-image hole SSIM}."""
    return {"psnr": hole_psnr(pred, original, known, vr).cpu(), "ssim": hole_ssim(pred, original, known, vr).cpu()}


def summary(ev: Evaluation) -> dict[str, dict[str, float]]:
    """Per method: mean and std of hole PSNR and SSIM over the images."""
    out = {}
    for name, sc in ev.scores.items():
        pm, ps = mean_std(sc["psnr"])
        sm, ss = mean_std(sc["ssim"])
        out[name] = {"psnr_mean": pm, "psnr_std": ps, "ssim_mean": sm, "ssim_std": ss}
    return out


def record(ev: Evaluation, extra: dict | None = None) -> dict:
    """The JSON-able account of an evaluation: settings, summary, per-image scores and seconds."""
    return {
        **(extra or {}),
        "settings": asdict(ev.settings),
        "images": int(ev.original.shape[0]),
        "summary": summary(ev),
        "per_image": {name: {k: v.tolist() for k, v in sc.items()} for name, sc in ev.scores.items()},
        "losses": {
            "contextual": ev.search.contextual.tolist(),
            "perceptual": ev.search.perceptual.tolist(),
            "history_first_batch": ev.search.history,
        },
        "seconds": round(ev.seconds, 2),
        "method_seconds": {k: round(v, 3) for k, v in ev.method_seconds.items()},
    }


def markdown_table(rows: Sequence[tuple[str, Evaluation]]) -> str:
    """One row per (label, evaluation) and method: hole PSNR and SSIM as mean ± std."""
    lines = ["| data (run) | method | hole PSNR (dB) | hole SSIM | images |", "|---|---|---:|---:|---:|"]
    for label, ev in rows:
        summ = summary(ev)
        for name in METHODS:
            if name in summ:
                m = summ[name]
                what = f"zerosum ({ev.settings.blend} blend)" if name == "zerosum" else METHODS[name]
                lines.append(
                    f"| {label} | {what} | {m['psnr_mean']:.2f} ± {m['psnr_std']:.2f} | "
                    f"{m['ssim_mean']:.3f} ± {m['ssim_std']:.3f} | {ev.original.shape[0]} |"
                )
    return "\n".join(lines)


__all__ = ["METHODS", "Evaluation", "Settings", "dataset_images", "evaluate", "file_images", "markdown_table"]
