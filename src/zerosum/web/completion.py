"""Completion in the browser: images to pick, an upload fitted to the run, and the search itself as a background
job whose progress (and current best G(z)) the page polls. The search, the blend and the scores are
`zerosum.completion`'s own, as `zerosum complete` runs them."""

from __future__ import annotations

from typing import Any

import torch
from fastapi import APIRouter, Request
from pydantic import Field

from zerosum.errors import DataError
from zerosum.web.codec import png_uri, png_uris, upload
from zerosum.web.context import Body, noise_run, server_state

MAX_COMPLETE_STEPS = 1000
MAX_RESTARTS = 16
MAX_PICKS = 32

router = APIRouter(prefix="/api")


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


@router.post("/picks")
def picks(request: Request, body: PicksBody) -> dict[str, Any]:
    """Images of the run's own dataset to complete: held out from training where the dataset has a test split."""
    from zerosum.completion.evaluate import held_out_images

    images, ids, split = held_out_images(noise_run(request, body.run), body.n, body.seed)
    return {"images": png_uris(images, None), "ids": ids.tolist(), "split": split}


@router.post("/fit")
def fit(request: Request, body: FitBody) -> dict[str, Any]:
    """An uploaded image decoded and brought to the run's size and channels, as completion will see it."""
    from zerosum.completion.evaluate import fit_image

    return {"image": png_uri(fit_image(noise_run(request, body.run), upload(body.image)), None)}


@router.post("/complete")
def complete(request: Request, body: CompleteBody) -> dict[str, Any]:
    """Start a completion (a background job); the page polls /api/jobs/ID for its progress and result."""
    from zerosum.completion.evaluate import Settings, evaluate, fit_image
    from zerosum.completion.picture import columns
    from zerosum.explore import require_discriminator

    run = noise_run(request, body.run)
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

    job = server_state(request).jobs.start(settings.steps, work)
    return job.view()


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: str) -> dict[str, Any]:
    return server_state(request).jobs.get(job_id).view()
