"""The lab's stream and controls over HTTP: frames while playing, one training per tab, gone with its stream."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest


def post(base: str, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def events(response, count: int) -> list[tuple[str, dict]]:
    out, name = [], None
    for raw in response:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            out.append((name, json.loads(line[6:])))
            if len(out) == count:
                return out
    return out


def test_a_tab_streams_frames_and_steers_its_training(server):
    tab = "testtab-0001"
    with urllib.request.urlopen(f"{server}/api/lab/stream?tab={tab}&data=ring-8", timeout=30) as r:
        first = events(r, 2)
        assert [e[0] for e in first] == ["static", "frame"] and first[0][1]["dim"] == 2 and first[1][1]["step"] == 0
        status, out = post(server, "/api/lab/control", {"tab": tab, "action": "step", "steps": 3})
        assert status == 200 and not out["playing"]
        assert events(r, 1)[0][1]["step"] == 3
        post(server, "/api/lab/control", {"tab": tab, "action": "play"})
        steps = [e[1]["step"] for e in events(r, 3)]
        assert steps == sorted(steps) and steps[0] > 3
        status, out = post(
            server, "/api/lab/control", {"tab": tab, "action": "configure", "settings": {"data": "toy-1d"}}
        )
        assert out["settings"]["data"] == "toy-1d"
        kinds = [(name, data.get("dim")) for name, data in events(r, 4)]
        assert ("static", 1) in kinds  # the page is told the problem changed
        status, bad = post(server, "/api/lab/control", {"tab": tab, "action": "configure", "settings": {"k": 0}})
        assert status == 400 and "k 0" in bad["error"]
    # the tab went away: its training ends with the stream (the server notices within one frame)
    deadline = time.time() + 10
    while (gone := post(server, "/api/lab/control", {"tab": tab, "action": "pause"}))[
        0
    ] != 404 and time.time() < deadline:
        time.sleep(0.1)
    assert gone[0] == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [({"tab": "x"}, 400), ({"tab": "../../etc"}, 400), ({"tab": "goodtab-01", "data": "mnist"}, 400)],
)
def test_bad_streams_are_refused(client, params, status):
    r = client.get("/api/lab/stream", params=params)
    assert r.status_code == status and "\n" not in r.json()["error"]


def test_controls_need_a_live_tab(client):
    r = client.post("/api/lab/control", json={"tab": "nobody-here", "action": "play"})
    assert r.status_code == 404 and "reload the page" in r.json()["error"]
    r = client.post("/api/lab/control", json={"tab": "nobody-here", "action": "explode"})
    assert r.status_code == 400


def test_at_most_a_few_trainings_at_once(client, monkeypatch):
    from zerosum.web import lab

    monkeypatch.setattr(lab, "MAX_LABS", 0)
    r = client.get("/api/lab/stream", params={"tab": "one-more-tab"})
    assert r.status_code == 429 and "close a lab tab" in r.json()["error"]
