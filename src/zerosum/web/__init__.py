"""`zerosum serve`: a local web app over the Python API — the runs and their reports, a latent explorer (grids,
walks, arithmetic, directions, completion, image-to-image), and the GAN lab of the papers' toys.

`create_app(runs_dir)` builds the FastAPI application; `serve(runs_dir, host, port)` runs it with uvicorn. The
web layer only translates between HTTP and the API: what a GAN does is decided in zerosum's own modules.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

log = logging.getLogger("zerosum")
LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(runs_dir: str | Path = "runs", host: str = LOOPBACK, port: int = 8000) -> None:
    """Serve the runs under `runs_dir` at http://host:port/ until interrupted."""
    import socket

    import uvicorn

    from zerosum.errors import ConfigError
    from zerosum.web.app import create_app

    app = create_app(runs_dir)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror}); pass another --port or --host") from None
    if not is_loopback(host):
        log.warning(
            "serving on %s: anyone who can reach this machine on port %d can use the server (it has no login, "
            "and each lab training costs CPU); use --host 127.0.0.1 to keep it to this machine", host, port,
        )  # fmt: skip
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"zerosum serve: http://{shown}:{port}/  (runs: {Path(runs_dir)}; Ctrl-C stops)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])


__all__ = ["LOOPBACK", "is_loopback", "serve"]
