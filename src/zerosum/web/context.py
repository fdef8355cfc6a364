"""What every endpoint module shares: the request body's base (unknown keys refused, the run named), the server's
state, and the loaded run a request names."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run: str = Field(max_length=1000)


def server_state(request: Request):
    """The `ServerState` of app.py: RUNS_DIR, the loaded runs, the jobs, the lab trainings."""
    return request.app.state.zerosum


def loaded_run(request: Request, name: str):
    """The loaded run `name` (under RUNS_DIR), whatever it maps."""
    st = server_state(request)
    return st.cache.get(st.root.run(name))


def noise_run(request: Request, name: str):
    """The loaded run `name`, checked to draw images from noise (the explorer's and completion's runs)."""
    from zerosum.explore import require_images
    from zerosum.run import require_gan

    run = require_gan(loaded_run(request, name), "serve's explorer")
    require_images(run, "serve's explorer")
    return run
