"""`zerosum serve` itself: where it listens, what it says, and its one-line refusals."""

from __future__ import annotations

import logging
import socket

import pytest

from zerosum.cli import main
from zerosum.web import is_loopback, serve


def test_loopback_names():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def test_listening_beyond_this_machine_warns(runs_dir, monkeypatch, caplog, capsys):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: seen.update(sockets=sockets))
    with caplog.at_level(logging.WARNING, logger="zerosum"):
        serve(runs_dir, host="0.0.0.0", port=0)
    assert "anyone who can reach this machine" in caplog.text
    assert seen["sockets"][0].getsockname()[0] == "0.0.0.0"
    seen["sockets"][0].close()
    caplog.clear()
    serve(runs_dir, host="127.0.0.1", port=0)
    assert caplog.text == "" and "http://127.0.0.1:0/" in capsys.readouterr().out
    seen["sockets"][0].close()


def test_a_port_in_use_and_a_missing_folder_are_one_line(runs_dir, tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", str(runs_dir), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "pass another --port" in err and err.count("\n") == 1
    assert main(["serve", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["serve", str(runs_dir), "--port", "70000"]) == 2


def test_a_body_of_unknown_size_is_not_read(client):
    def chunks():
        yield b'{"run": "tiny"}'

    r = client.post("/api/samples", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 411 and "Content-Length" in r.json()["error"]


@pytest.mark.parametrize("page", ["/", "/lab"])
def test_pages_load_only_their_own_assets(client, page):
    html = client.get(page).text
    for src in ("/static/common.js", "/static/web.css"):
        assert src in html and client.get(src).status_code == 200
