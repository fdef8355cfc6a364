"""`zerosum serve`'s application: the pages, their assets, and the JSON endpoints of explorer.py and lab.py.

Every failure is one line of JSON, `{"error": "..."}`: a user's mistake (a ZerosumError, a request outside the
bounds) with 400, a name outside RUNS_DIR with 404, too much at once with 429, an oversized request with 413.
Pages carry a Content-Security-Policy that allows nothing from another origin: every asset ships in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response

from zerosum.errors import ZerosumError
from zerosum.report.html import POLICY
from zerosum.web.paths import NotFound, RunsRoot
from zerosum.web.store import Busy, Jobs, RunCache

MAX_BODY = 16 << 20  # any request; an image upload is bounded more tightly by codec.py
PAGES = {"/": "index.html", "/run": "run.html", "/lab": "lab.html"}
STATIC = {  # name → (package folder, media type): the only files /static/ serves
    "web.css": ("web/static", "text/css"),
    "common.js": ("web/static", "text/javascript"),
    "index.js": ("web/static", "text/javascript"),
    "run.js": ("web/static", "text/javascript"),
    "lab.js": ("web/static", "text/javascript"),
    "plot.js": ("report/assets", "text/javascript"),
}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")  # fmt: skip
REPORT_CSP = POLICY  # the report's own: its script and style are inline


@dataclass
class ServerState:
    root: RunsRoot
    cache: RunCache = field(default_factory=RunCache)
    jobs: Jobs = field(default_factory=Jobs)
    labs: dict[str, Any] = field(default_factory=dict)


def _package_text(folder: str, name: str) -> str:
    return resources.files("zerosum").joinpath(folder, name).read_text(encoding="utf-8")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message.splitlines()[0] if message else "error"}, status_code=status)


def _validation_line(err: RequestValidationError) -> str:
    first = err.errors()[0] if err.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
    return f"{where or 'request'}: {first.get('msg', 'invalid')}"


def create_app(runs_dir: str | Path) -> FastAPI:
    """The server's application over the runs under `runs_dir`."""
    from zerosum.web import completion, explorer, lab, translation

    app = FastAPI(title="zerosum", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.zerosum = ServerState(RunsRoot.at(runs_dir))

    @app.middleware("http")
    async def guard(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is None and request.method in ("POST", "PUT", "PATCH"):
            return _error(411, "send the request's Content-Length (a body of unknown size is not read)")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return _error(413, f"the request is larger than {MAX_BODY >> 20} MB")
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    for kind, status in ((NotFound, 404), (Busy, 429), (ZerosumError, 400)):  # a subclass finds its own first
        app.add_exception_handler(kind, _answer(status))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        return _error(400, _validation_line(err))

    for route, page in PAGES.items():
        app.add_api_route(route, _page(page), methods=["GET"], response_class=HTMLResponse, include_in_schema=False)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC:
            raise NotFound(f"no asset {name!r}")
        folder, media = STATIC[name]
        return Response(_package_text(folder, name), media_type=media, headers={"Cache-Control": "no-cache"})

    @app.get("/report", include_in_schema=False)
    def report(request: Request, run: str) -> HTMLResponse:
        from zerosum.report import render_report

        root = request.app.state.zerosum.root
        path = root.resolve(run)
        if not path.is_dir() and path.suffix != ".json":
            raise NotFound(f"{run!r} is neither a run nor a reproduce record")
        return HTMLResponse(render_report(path), headers={"Content-Security-Policy": REPORT_CSP})

    @app.get("/api/preview.png", include_in_schema=False)
    def preview(request: Request, run: str) -> Response:
        root = request.app.state.zerosum.root
        root.run(run)  # a run, not just any folder
        return Response(root.file(run, "samples.png").read_bytes(), media_type="image/png")

    for module in (explorer, completion, translation, lab):
        app.include_router(module.router)
    return app


def _answer(status: int):
    async def handler(request: Request, err: Exception) -> JSONResponse:
        return _error(status, str(err))

    return handler


def _page(name: str):
    def page() -> HTMLResponse:
        return HTMLResponse(_package_text("web/static", name), headers={"Cache-Control": "no-cache"})

    return page
