"""`zerosum serve [RUNS_DIR]`: the runs, a latent explorer and the GAN lab in a browser, on this machine."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "serve",
        help="a local web app: run reports, a latent explorer, completion, the GAN lab",
        description="Serves only what lies under RUNS_DIR, on 127.0.0.1 unless --host says otherwise.",
    )
    s.add_argument("runs_dir", nargs="?", default="runs", metavar="RUNS_DIR", help="the folder of runs (default runs)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from zerosum.errors import ConfigError

    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port}: give a port from 1 to 65535")
    from zerosum.web import serve

    serve(args.runs_dir, args.host, args.port)
    return 0
