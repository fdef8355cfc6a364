"""The lab's endpoints: one live `ToyLab` per browser tab, its frames sent as server-sent events.

The page opens `/api/lab/stream?tab=ID` (an EventSource) and steers with POST `/api/lab/control`. The training
lives exactly as long as that stream: when the tab closes (or reloads) the connection drops, the stream's task
is cancelled, and the lab is forgotten. Frames go out about `FPS` times a second while playing; each carries the
state after `steps_per_frame` updates. At most `MAX_LABS` trainings run at once on one server.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from zerosum.errors import ConfigError
from zerosum.lab import LabSettings, ToyLab
from zerosum.lab.toys import MAX_STEPS
from zerosum.lab.views import Views
from zerosum.web.context import server_state
from zerosum.web.paths import NotFound
from zerosum.web.store import Busy

FPS = 15
MAX_LABS = 4
KEEPALIVE_S = 10.0
TAB = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

router = APIRouter(prefix="/api/lab")


@dataclass
class Session:
    lab: ToyLab
    views: Views
    playing: bool = False
    pending: int = 0  # single steps asked for while paused
    closed: bool = False
    sent: Views | None = None  # the views whose fixed parts the page has
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def advance(self, n: int | None) -> dict[str, Any] | None:
        """Train (n updates, or a frame's worth) and draw: runs in a worker thread. None when the lab started
        again meanwhile (a `static` event with the new views follows)."""
        self.lab.step(n)
        return self.views.frame()

    def describe(self) -> dict[str, Any]:
        return {**self.lab.describe(), "playing": self.playing}


def _sessions(request: Request) -> dict[str, Session]:
    return server_state(request).labs


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, allow_nan=False, separators=(',', ':'))}\n\n"


@router.get("/stream")
async def stream(request: Request, tab: str, data: str = "ring-8") -> StreamingResponse:
    if not TAB.match(tab):
        raise ConfigError("tab: send the page's own id (8 to 64 letters, digits, - or _)")
    labs = _sessions(request)
    old = labs.pop(tab, None)
    if old is not None:  # the same tab reconnected: its old stream ends
        old.closed = True
        old.wake.set()
    if len(labs) >= MAX_LABS:
        raise Busy(f"{MAX_LABS} lab trainings are running on this server; close a lab tab and reload this one")
    lab = await asyncio.to_thread(ToyLab, LabSettings(data=data))
    session = Session(lab, Views(lab))
    labs[tab] = session
    loop = asyncio.get_running_loop()

    async def events():
        try:
            while not session.closed:
                if await request.is_disconnected():
                    break
                if session.sent is not session.views:  # new views (a new problem, a reset): their fixed parts first
                    views = session.sent = session.views
                    yield _event("static", {**views.static(), **session.describe()})
                    if (frame := await asyncio.to_thread(views.frame)) is not None:
                        yield _event("frame", frame)
                    continue
                if session.playing or session.pending:
                    n, session.pending = (session.pending or None), 0
                    started = loop.time()
                    if (frame := await asyncio.to_thread(session.advance, n)) is not None:
                        yield _event("frame", frame)
                    await asyncio.sleep(max(0.0, 1 / FPS - (loop.time() - started)))
                    continue
                session.wake.clear()
                try:
                    await asyncio.wait_for(session.wake.wait(), KEEPALIVE_S)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
        finally:  # the tab went away (or reconnected): the training ends with its stream
            session.closed = True
            if labs.get(tab) is session:
                del labs[tab]

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


class ControlBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tab: str = Field(max_length=64)
    action: Literal["play", "pause", "step", "reset", "configure"]
    steps: int = Field(1, ge=1, le=MAX_STEPS)
    settings: dict[str, Any] = Field(default_factory=dict, max_length=16)


@router.post("/control")
async def control(request: Request, body: ControlBody) -> dict[str, Any]:
    session = _sessions(request).get(body.tab)
    if session is None:
        raise NotFound("no lab training for this tab; reload the page to start one")
    if body.action == "play":
        session.playing = True
    elif body.action == "pause":
        session.playing = False
    elif body.action == "step":
        session.playing, session.pending = False, body.steps
    elif body.action == "reset":
        await asyncio.to_thread(session.lab.reset)
        session.views = Views(session.lab)
    else:
        if await asyncio.to_thread(session.lab.configure, **body.settings):
            session.views = Views(session.lab)
    session.wake.set()
    return session.describe()
