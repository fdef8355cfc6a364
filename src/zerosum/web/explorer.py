"""The explorer's endpoints for a run that maps noise to images: samples, z to images, walks, arithmetic and
directions. Each reads its inputs, calls the Python API (sampling, latent/) and returns PNG data URIs with the
numbers that made them. Nothing here decides how a GAN samples or walks: that is the API's, so the page shows
exactly what the verbs would write. Completion and image-to-image are in completion.py and translation.py."""

from __future__ import annotations

from typing import Any, Literal

import torch
from fastapi import APIRouter, Request
from pydantic import Field

from zerosum.errors import ConfigError
from zerosum.latent.directions import MAX_DIRECTIONS
from zerosum.web import completion
from zerosum.web.codec import png_uris, z_rows
from zerosum.web.context import Body, loaded_run, noise_run, server_state

MAX_SAMPLES = 256
MAX_GENERATE = 64
MAX_WALK = 32
MAX_GROUP = 8
MAX_NEIGHBOURS = 16

router = APIRouter(prefix="/api")
Label = int | str | None


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
    k: int = Field(8, ge=1, le=MAX_DIRECTIONS)


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
    return server_state(request).root.listing()


@router.get("/info")
def info(request: Request, run: str) -> dict[str, Any]:
    st = server_state(request)
    loaded = loaded_run(request, run)
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
                   "complete_steps": completion.MAX_COMPLETE_STEPS, "restarts": completion.MAX_RESTARTS},
    }  # fmt: skip


@router.post("/samples")
def samples(request: Request, body: SamplesBody) -> dict[str, Any]:
    import zerosum

    run = noise_run(request, body.run)
    labels = [body.label] if body.label is not None else None
    if labels and not run.config.model.conditional:
        raise ConfigError("a class was chosen, but this run is not conditional")
    s = zerosum.sample(run, body.n, seed=body.seed, labels=labels)
    return {"images": png_uris(s.images, s.value_range), "z": s.z.tolist(),
            "labels": s.y.tolist() if s.y is not None else None}  # fmt: skip


@router.post("/generate")
def generate_images(request: Request, body: GenerateBody) -> dict[str, Any]:
    run = noise_run(request, body.run)
    z = z_rows(body.z, int(run.generator.nz), "z", MAX_GENERATE)
    return {"images": _images(run, z, body.label)}


@router.post("/interpolate")
def interpolate(request: Request, body: InterpolateBody) -> dict[str, Any]:
    from zerosum.latent.interpolate import segment

    run = noise_run(request, body.run)
    nz = int(run.generator.nz)
    z0, z1 = z_rows([body.z0], nz, "z0", 1)[0], z_rows([body.z1], nz, "z1", 1)[0]
    z = segment(z0, z1, body.steps, body.mode)
    return {"images": _images(run, z, body.label), "t": torch.linspace(0, 1, body.steps).tolist()}


@router.post("/arithmetic")
def arithmetic(request: Request, body: ArithmeticBody) -> dict[str, Any]:
    from zerosum.latent.arithmetic import combine, group_mean, noise_around

    run = noise_run(request, body.run)
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

    st = server_state(request)
    run = noise_run(request, body.run)
    nz = int(run.generator.nz)
    if body.kind == "coordinates":
        k = min(body.k, nz)
        return {"directions": [coordinate_direction(nz, i).tolist() for i in range(k)],
                "names": [f"z[{i}]" for i in range(k)]}  # fmt: skip
    d, share = st.cache.derived(run.path, f"principal-{body.k}", lambda: principal_directions(run, body.k))
    return {"directions": d.tolist(), "names": [f"PC{i + 1} ({100 * float(s):.1f}%)" for i, s in enumerate(share)]}
