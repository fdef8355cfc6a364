"""The explorer's endpoints: what each returns, and the one-line JSON error of every request outside its bounds."""

from __future__ import annotations

import numpy as np
import pytest

from tests.web.helpers import one_line_error
from zerosum.web import explorer


def test_a_grid_of_samples_carries_its_z_and_reproduces_from_it(client):
    r = client.post("/api/samples", json={"run": "tiny", "seed": 3, "n": 64}).json()
    assert len(r["images"]) == 64 and len(r["z"]) == 64 and len(r["z"][0]) == 8
    again = client.post("/api/generate", json={"run": "tiny", "z": r["z"][:4]}).json()
    assert again["images"] == r["images"][:4]  # the same z gives the same PNG: the page can rebuild any pick
    other = client.post("/api/samples", json={"run": "tiny", "seed": 4, "n": 4}).json()
    assert other["z"] != r["z"][:4]


def test_interpolation_arithmetic_and_directions(client):
    z = client.post("/api/samples", json={"run": "tiny", "n": 6}).json()["z"]
    walk = client.post("/api/interpolate", json={"run": "tiny", "z0": z[0], "z1": z[1], "steps": 7, "mode": "slerp"})
    assert len(walk.json()["images"]) == 7
    ends = client.post("/api/generate", json={"run": "tiny", "z": [z[0], z[1]]}).json()["images"]
    assert walk.json()["images"][0] == ends[0]  # the walk starts at the first pick
    arith = client.post(
        "/api/arithmetic", json={"run": "tiny", "a": z[:2], "b": z[2:4], "c": z[4:], "neighbours": 5}
    ).json()
    assert len(arith["means"]) == 3 and len(arith["neighbours"]) == 5
    expected = (np.mean(z[:2], 0) - np.mean(z[2:4], 0) + np.mean(z[4:], 0)).tolist()
    assert arith["z"] == pytest.approx(expected, abs=1e-5)
    pcs = client.post("/api/directions", json={"run": "tiny", "kind": "principal", "k": 4}).json()
    assert len(pcs["directions"]) == 4 and pcs["names"][0].startswith("PC1")
    assert np.linalg.norm(pcs["directions"], axis=1) == pytest.approx(np.ones(4), abs=1e-5)
    coords = client.post("/api/directions", json={"run": "tiny", "kind": "coordinates", "k": 3}).json()
    assert coords["directions"][1] == [0.0, 1.0] + [0.0] * 6


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/api/samples", {"n": 257}, "n: "),
        ("/api/samples", {"n": 0}, "n: "),
        ("/api/samples", {"seed": -1}, "seed: "),
        ("/api/samples", {"label": 3}, "not conditional"),
        ("/api/samples", {"sneaky": 1}, "sneaky"),
        ("/api/generate", {"z": [[0.0] * 7]}, "8 numbers"),
        ("/api/generate", {"z": [[1e9] + [0.0] * 7]}, "finite numbers within"),
        ("/api/generate", {"z": [[0.0] * 8] * 65}, "z: "),
        ("/api/generate", {"z": []}, "1 to 64"),
        ("/api/interpolate", {"z0": [0.0] * 8, "z1": [0.0] * 8, "steps": 33}, "steps: "),
        ("/api/interpolate", {"z0": [0.0] * 8, "z1": [0.0] * 8, "mode": "wiggle"}, "mode: "),
        ("/api/arithmetic", {"a": [], "b": [[0.0] * 8], "c": [[0.0] * 8]}, "group A"),
        ("/api/arithmetic", {"a": [[0.0] * 8] * 9, "b": [[0.0] * 8], "c": [[0.0] * 8]}, "a: "),
        ("/api/directions", {"k": 17}, "k: "),
        ("/api/picks", {"n": 33}, "n: "),
        ("/api/complete", {"image": "data:image/png;base64,AAAA", "mask": [1], "steps": 1001}, "steps: "),
        ("/api/translate", {"image": None}, "image-to-image view is for"),
    ],
)
def test_requests_outside_the_bounds_get_one_line(client, path, body, words):
    assert words in one_line_error(client.post(path, json={"run": "tiny", **body}), 400)


def test_the_explorer_refuses_translators_and_points(client):
    assert "image-to-image run" in one_line_error(client.post("/api/samples", json={"run": "group/p2m"}), 400)
    assert "points" in one_line_error(client.post("/api/samples", json={"run": "ring"}), 400)


def test_explorer_bounds_are_what_info_reports(client):
    info = client.get("/api/info", params={"run": "tiny"}).json()
    assert info["limits"]["samples"] == explorer.MAX_SAMPLES and info["nz"] == 8 and not info["conditional"]
