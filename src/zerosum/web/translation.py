"""Image-to-image in the browser: an uploaded image (or held-out pairs) through a pix2pix or SRGAN run, with
`zerosum.translate` / `zerosum.upscale` writing their picture into a temporary folder that the answer carries."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from zerosum.errors import ConfigError
from zerosum.report.collect import data_uri
from zerosum.web.codec import upload
from zerosum.web.context import Body, loaded_run

router = APIRouter(prefix="/api")


class TranslateBody(Body):
    image: str | None = Field(None, max_length=12 << 20)
    n: int = Field(8, ge=1, le=16)


@router.post("/translate")
def translate(request: Request, body: TranslateBody) -> dict[str, Any]:
    """An uploaded image (or n held-out pairs) through an image-to-image run: its picture and scores."""
    import zerosum
    from zerosum.images import save_png

    run = loaded_run(request, body.run)
    if not run.config.model.translates:
        raise ConfigError(f"{body.run} maps noise to images; the image-to-image view is for pix2pix and SRGAN runs")
    verb = zerosum.upscale if run.config.data.pairs.task == "upscale" else zerosum.translate
    with tempfile.TemporaryDirectory(prefix="zerosum-serve-") as tmp:
        if body.image is not None:
            path = save_png(Path(tmp) / "upload.png", upload(body.image))
            record = verb(run, images=[path], out=Path(tmp) / "out")
        else:
            record = verb(run, n=body.n, out=Path(tmp) / "out")
        picture = data_uri(Path(tmp) / "out" / record["picture"])
    return {"picture": picture, "columns": record["columns"], "images": record["images"], "task": record["task"]}
