"""The server's endpoints: what each returns, and the one-line JSON error of every request outside its bounds."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pytest
from PIL import Image

from zerosum.web import codec, explorer


def png_uri(array: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def one_line_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and "\n" not in body["error"] and body["error"]
    return body["error"]


def test_the_runs_and_records_are_listed_without_the_links_out(client):
    data = client.get("/api/runs").json()
    names = {r["name"] for r in data["runs"]}
    assert names == {"tiny", "group/p2m", "ring"}  # not the symlinked run outside the folder
    tiny = next(r for r in data["runs"] if r["name"] == "tiny")
    assert tiny["step"] == 3 and tiny["arch"] == "dcgan" and tiny["preview"]
    assert [r["name"] for r in data["records"]] == ["reproduce/results/toy.json"]


@pytest.mark.parametrize(
    "name",
    ["../outside", "escape", "escape/config.yaml", "/etc", "tiny/../../outside", "..", "tiny\\..\\..", "tiny\x00"],
)
def test_names_outside_the_folder_are_refused(client, name):
    for path in ("/api/info", "/report", "/api/preview.png"):
        one_line_error(client.get(path, params={"run": name}), 404)
    one_line_error(client.post("/api/samples", json={"run": name}), 404)


def test_encoded_dots_and_symlinked_files_are_refused(client):
    for raw in ("/report?run=%2e%2e%2foutside", "/report?run=..%2Foutside", "/report?run=%2E%2E/%2E%2E/etc/passwd",
                "/api/info?run=secret-link.txt", "/report?run=secret-link.txt"):  # fmt: skip
        one_line_error(client.get(raw), 404)
    for raw in ("/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/app.py", "/static/app.py", "/static/"):
        assert client.get(raw).status_code == 404


def test_pages_and_assets_are_served_with_a_policy_that_allows_no_other_origin(client):
    for page in ("/", "/lab", "/run?run=tiny"):
        r = client.get(page)
        assert r.status_code == 200 and "<!doctype html>" in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert "http" not in r.text.split("</head>")[0].replace("http-equiv", "")  # nothing fetched from elsewhere
    assert client.get("/static/plot.js").headers["content-type"].startswith("text/javascript")


def test_the_report_of_a_run_and_of_a_record(client):
    run = client.get("/report", params={"run": "tiny"})
    assert run.status_code == 200 and 'id="report-data"' in run.text and "img-src data:" in run.headers[
        "content-security-policy"]  # fmt: skip
    record = client.get("/report", params={"run": "reproduce/results/toy.json"})
    assert "A toy experiment" in record.text and "data:image/png;base64," in record.text


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


@pytest.mark.parametrize(
    ("image", "words"),
    [
        ("not a data uri", "data URI"),
        ("data:image/png;base64,!!!!", "not valid base64"),
        ("data:image/png;base64," + base64.b64encode(b"plain text, not pixels").decode(), "not an image"),
    ],
)
def test_bad_uploads_get_one_line(client, image, words):
    assert words in one_line_error(client.post("/api/fit", json={"run": "tiny", "image": image}), 400)


def test_uploads_past_the_size_limits_are_refused(client, monkeypatch):
    huge = Image.new("L", (5000, 4000))  # 20 Mpx of one colour: a few kB of PNG
    buf = io.BytesIO()
    huge.save(buf, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    assert "larger than" in one_line_error(client.post("/api/fit", json={"run": "tiny", "image": uri}), 400)
    monkeypatch.setattr(codec, "MAX_UPLOAD_BYTES", 1000)
    noisy = png_uri(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8))
    assert "larger than" in one_line_error(client.post("/api/fit", json={"run": "tiny", "image": noisy}), 400)
    r = client.post(
        "/api/fit", content=b"{}", headers={"content-length": str(64 << 20), "content-type": "application/json"}
    )
    one_line_error(r, 413)


def test_an_upload_is_fitted_to_the_run(client):
    rgb = np.zeros((40, 30, 3), dtype=np.uint8)
    rgb[:, :15] = 255
    fitted = client.post("/api/fit", json={"run": "tiny", "image": png_uri(rgb)}).json()["image"]
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(fitted.split(",", 1)[1]))))
    assert pixels.shape == (16, 16)  # the run's size, grey


def test_a_completion_runs_as_a_job_with_progress_and_scores(client):
    pick = client.post("/api/picks", json={"run": "tiny", "n": 2}).json()["images"][0]
    mask = [0] * 128 + [1] * 128  # the lower half of 16×16
    job = client.post("/api/complete", json={"run": "tiny", "image": pick, "mask": mask, "steps": 20, "restarts": 2})
    assert job.status_code == 200 and job.json()["total"] == 20
    deadline = time.time() + 60
    while (now := client.get(f"/api/jobs/{job.json()['id']}").json())["status"] == "running" and time.time() < deadline:
        time.sleep(0.05)
    assert now["status"] == "done" and now["done"] == 20 and now["preview"].startswith("data:image/png")
    labels = [c["label"] for c in now["result"]["columns"]]
    assert labels[0] == "masked input" and labels[-1] == "original"
    assert set(now["result"]["scores"]) >= {"zerosum", "mean_fill", "telea"}
    one_line_error(client.get("/api/jobs/nope"), 404)


@pytest.mark.parametrize(
    ("mask", "words"), [([1] * 10, "256 values"), ([0] * 256, "draw a hole"), ([2] * 256, "256 values")]
)
def test_a_completion_needs_a_mask_of_the_image(client, mask, words):
    pick = client.post("/api/picks", json={"run": "tiny", "n": 1}).json()["images"][0]
    assert words in one_line_error(client.post("/api/complete", json={"run": "tiny", "image": pick, "mask": mask}), 400)


def test_one_completion_at_a_time(client, monkeypatch):
    from zerosum.web import store

    monkeypatch.setattr(store, "MAX_RUNNING_JOBS", 0)
    pick = client.post("/api/picks", json={"run": "tiny", "n": 1}).json()["images"][0]
    body = {"run": "tiny", "image": pick, "mask": [1] * 8 + [0] * 248, "steps": 1}
    assert "already running" in one_line_error(client.post("/api/complete", json=body), 429)


def test_an_image_to_image_run_translates_an_upload(client):
    photo = np.full((32, 32, 3), 200, dtype=np.uint8)
    out = client.post("/api/translate", json={"run": "group/p2m", "image": png_uri(photo)}).json()
    assert out["picture"].startswith("data:image/png") and out["columns"] == ["input", "output"]
    held = client.post("/api/translate", json={"run": "group/p2m", "n": 2}).json()
    assert held["columns"] == ["input", "output", "target"] and len(held["images"]) == 2


def test_explorer_bounds_are_what_info_reports(client):
    info = client.get("/api/info", params={"run": "tiny"}).json()
    assert info["limits"]["samples"] == explorer.MAX_SAMPLES and info["nz"] == 8 and not info["conditional"]
