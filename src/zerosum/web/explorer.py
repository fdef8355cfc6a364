"""The explorer's endpoints: each one reads its inputs, calls the Python API (sampling, latent/, completion/,
translation/) and returns PNG data URIs with the numbers that made them. Nothing here decides how a GAN samples,
walks or completes: that is the API's, so the page shows exactly what the verbs would write."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any, Literal

import torch
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from zerosum.errors import ConfigError, DataError
from zerosum.web.codec import png_uri, png_uris, upload, z_rows

MAX_SAMPLES = 256
MAX_GENERATE = 64
MAX_WALK = 32
MAX_GROUP = 8
MAX_NEIGHBOURS = 16
MAX_COMPLETE_STEPS = 1000
MAX_RESTARTS = 16
MAX_PICKS = 32

router = APIRouter(prefix="/api")
Label = int | str | None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run: str = Field(max_length=1000)


class SamplesBody(Body):
    seed: int = Field(0, ge=0, le=2**31 - 1)
    n: int = Field(64, ge=1, le=MAX_SAMPLES)
    label: Label = None


class GenerateBody(Body):
    z: list[Any] = Field(max_length=MAX_GENERATE)
    label: Label = None


class InterpolateBody(Body):
    z0: list[Any]
    z1: list[Any]
    steps: int = Field(9, ge=2, le=MAX_WALK)
    mode: Literal["lerp", "slerp"] = "slerp"
    label: Label = None


class ArithmeticBody(Body):
    a: list[Any] = Field(max_length=MAX_GROUP)
    b: list[Any] = Field(max_length=MAX_GROUP)
    c: list[Any] = Field(max_length=MAX_GROUP)
    neighbours: int = Field(8, ge=0, le=MAX_NEIGHBOURS)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    label: Label = None


class DirectionsBody(Body):
    kind: Literal["principal", "coordinates"] = "principal"
    k: int = Field(8, ge=1, le=16)


class PicksBody(Body):
    n: int = Field(12, ge=1, le=MAX_PICKS)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class FitBody(Body):
    image: str = Field(max_length=12 << 20)


class CompleteBody(Body):
    image: str = Field(max_length=12 << 20)
    mask: list[int] = Field(max_length=512 * 512, description="1 where the hole is, row by row")
    steps: int = Field(300, ge=1, le=MAX_COMPLETE_STEPS)
    restarts: int = Field(8, ge=1, le=MAX_RESTARTS)


class TranslateBody(Body):
    image: str | None = Field(None, max_length=12 << 20)
    n: int = Field(8, ge=1, le=16)


def _state(request: Request):
    return request.app.state.zerosum


def _run(request: Request, name: str, images: bool = True):
    """The loaded run `name` (under RUNS_DIR), checked to draw images from noise when `images`."""
    from zerosum.explore import require_images
    from zerosum.run import require_gan

    st = _state(request)
    run = st.cache.get(st.root.run(name))
    if images:
        require_images(require_gan(run, "serve's explorer"), "serve's explorer")
    return run


def _labels(run, label: Label, n: int) -> torch.Tensor | None:
    """n copies of the chosen class for a conditional run (class 0 when none is chosen); None otherwise."""
    from zerosum.sampling import class_index

    if not run.config.model.conditional:
        if label is not None:
            raise ConfigError("a class was chosen, but this run is not conditional")
        return None
    index = class_index(run.config, [label])[0] if label is not None else 0
    return torch.full((n,), index, dtype=torch.long)


def _images(run, z: torch.Tensor, label: Label) -> list[str]:
    from zerosum.sampling import generate

    return png_uris(generate(run, z, _labels(run, label, len(z))), run.generator.output_range)


@router.get("/runs")
def runs(request: Request) -> dict[str, Any]:
    return _state(request).root.listing()


@router.get("/info")
def info(request: Request, run: str) -> dict[str, Any]:
    st = _state(request)
    loaded = st.cache.get(st.root.run(run))
    cfg, data_info = loaded.config, loaded.config.data_info
    translates = cfg.model.translates
    G = loaded.generator
    return {
        "name": st.root.name_of(loaded.path), "preset": cfg.preset, "arch": cfg.model.arch, "kind": data_info.kind,
        "task": cfg.data.pairs.task if translates else None, "shape": list(data_info.shape),
        "nz": None if translates else int(G.nz), "z_dist": None if translates else G.z_dist,
        "conditional": bool(getattr(cfg.model, "conditional", False)), "classes": list(data_info.classes),
        "step": loaded.step, "checkpoint": loaded.checkpoint.name, "discriminator": loaded.D is not None,
        "limits": {"samples": MAX_SAMPLES, "walk": MAX_WALK, "group": MAX_GROUP, "neighbours": MAX_NEIGHBOURS,
                   "complete_steps": MAX_COMPLETE_STEPS, "restarts": MAX_RESTARTS},
    }  # fmt: skip


@router.post("/samples")
def samples(request: Request, body: SamplesBody) -> dict[str, Any]:
    import zerosum

    run = _run(request, body.run)
    labels = [body.label] if body.label is not None else None
    if labels and not run.config.model.conditional:
        raise ConfigError("a class was chosen, but this run is not conditional")
    s = zerosum.sample(run, body.n, seed=body.seed, labels=labels)
    return {"images": png_uris(s.images, s.value_range), "z": s.z.tolist(),
            "labels": s.y.tolist() if s.y is not None else None}  # fmt: skip


@router.post("/generate")
def generate_images(request: Request, body: GenerateBody) -> dict[str, Any]:
    run = _run(request, body.run)
    z = z_rows(body.z, int(run.generator.nz), "z", MAX_GENERATE)
    return {"images": _images(run, z, body.label)}


@router.post("/interpolate")
def interpolate(request: Request, body: InterpolateBody) -> dict[str, Any]:
    from zerosum.latent.interpolate import segment

    run = _run(request, body.run)
    nz = int(run.generator.nz)
    z0, z1 = z_rows([body.z0], nz, "z0", 1)[0], z_rows([body.z1], nz, "z1", 1)[0]
    z = segment(z0, z1, body.steps, body.mode)
    return {"images": _images(run, z, body.label), "t": torch.linspace(0, 1, body.steps).tolist()}


@router.post("/arithmetic")
def arithmetic(request: Request, body: ArithmeticBody) -> dict[str, Any]:
    from zerosum.latent.arithmetic import combine, group_mean, noise_around

    run = _run(request, body.run)
    nz = int(run.generator.nz)
    groups = [z_rows(g, nz, f"group {name}", MAX_GROUP) for name, g in (("A", body.a), ("B", body.b), ("C", body.c))]
    z = torch.cat(groups)
    ends = torch.tensor([len(g) for g in groups]).cumsum(0).tolist()
    ids = [list(range(0, ends[0])), list(range(ends[0], ends[1])), list(range(ends[1], ends[2]))]
    result = combine(z, *ids)
    means = torch.stack([group_mean(z, i) for i in ids])
    around = noise_around(result, body.neighbours, seed=body.seed) if body.neighbours else torch.empty(0, nz)
    pictures = _images(run, torch.cat([means, result[None], around]), body.label)
    return {"means": pictures[:3], "result": pictures[3], "neighbours": pictures[4:], "z": result.tolist()}


@router.post("/directions")
def directions(request: Request, body: DirectionsBody) -> dict[str, Any]:
    from zerosum.latent.directions import coordinate_direction, principal_directions

    st = _state(request)
    run = _run(request, body.run)
    nz = int(run.generator.nz)
    if body.kind == "coordinates":
        k = min(body.k, nz)
        return {"directions": [coordinate_direction(nz, i).tolist() for i in range(k)],
                "names": [f"z[{i}]" for i in range(k)]}  # fmt: skip
    d, share = st.cache.derived(run.path, f"principal-{body.k}", lambda: principal_directions(run, body.k))
    return {"directions": d.tolist(), "names": [f"PC{i + 1} ({100 * float(s):.1f}%)" for i, s in enumerate(share)]}


@router.post("/picks")
def picks(request: Request, body: PicksBody) -> dict[str, Any]:
    """Images of the run's own dataset to complete: held out from training where the dataset has a test split."""
    from zerosum.completion.evaluate import held_out_images

    images, ids, split = held_out_images(_run(request, body.run), body.n, body.seed)
    return {"images": png_uris(images, None), "ids": ids.tolist(), "split": split}


@router.post("/fit")
def fit(request: Request, body: FitBody) -> dict[str, Any]:
    """An uploaded image decoded and brought to the run's size and channels, as completion will see it."""
    from zerosum.completion.evaluate import fit_image

    return {"image": png_uri(fit_image(_run(request, body.run), upload(body.image)), None)}


@router.post("/complete")
def complete(request: Request, body: CompleteBody) -> dict[str, Any]:
    """Start a completion (a background job); the page polls /api/jobs/ID for its progress and result."""
    from zerosum.completion.evaluate import Settings, evaluate, fit_image
    from zerosum.completion.picture import columns
    from zerosum.explore import require_discriminator

    run = _run(request, body.run)
    require_discriminator(run, "serve's completion")
    image = fit_image(run, upload(body.image))
    c, h, w = image.shape
    if len(body.mask) != h * w or any(v not in (0, 1) for v in body.mask):
        raise DataError(f"mask: send {h}×{w} = {h * w} values of 0 (keep) or 1 (fill), row by row")
    hole = torch.tensor(body.mask, dtype=torch.bool).view(1, 1, h, w)
    if not hole.any() or hole.all():
        raise DataError("mask: draw a hole that leaves some of the image known")
    settings = Settings(steps=body.steps, restarts=body.restarts, batch=1).check()
    vr = run.generator.output_range

    def work(job) -> dict[str, Any]:
        def watch(step: int, images: torch.Tensor) -> None:
            job.preview = png_uri(images[0].clamp(*vr).cpu(), vr)

        ev = evaluate(run, image[None], ~hole, settings, baselines=True, bar=job.bar, watch=watch)
        cols = [{"label": label, "image": png_uri(pixels[0], None)} for label, pixels in columns(ev, True)]
        scores = {name: {"psnr": float(s["psnr"][0]), "ssim": float(s["ssim"][0])} for name, s in ev.scores.items()}
        return {"columns": cols, "scores": scores, "seconds": round(ev.seconds, 2)}

    job = _state(request).jobs.start(settings.steps, work)
    return job.view()


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: str) -> dict[str, Any]:
    return _state(request).jobs.get(job_id).view()


@router.post("/translate")
def translate(request: Request, body: TranslateBody) -> dict[str, Any]:
    """An uploaded image (or n held-out pairs) through an image-to-image run: its picture and scores."""
    import zerosum
    from zerosum.images import save_png

    st = _state(request)
    run = st.cache.get(st.root.run(body.run))
    if not run.config.model.translates:
        raise ConfigError(f"{body.run} maps noise to images; the image-to-image view is for pix2pix and SRGAN runs")
    verb = zerosum.upscale if run.config.data.pairs.task == "upscale" else zerosum.translate
    with tempfile.TemporaryDirectory(prefix="zerosum-serve-") as tmp:
        if body.image is not None:
            path = save_png(Path(tmp) / "upload.png", upload(body.image))
            record = verb(run, images=[path], out=Path(tmp) / "out")
        else:
            record = verb(run, n=body.n, out=Path(tmp) / "out")
        picture = (Path(tmp) / "out" / record["picture"]).read_bytes()
    uri = "data:image/png;base64," + base64.b64encode(picture).decode("ascii")
    return {"picture": uri, "columns": record["columns"], "images": record["images"], "task": record["task"]}
