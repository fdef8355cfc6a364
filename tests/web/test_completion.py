"""Completion's endpoints: uploads and their limits, the search as a job, one at a time."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pytest
from PIL import Image

from tests.web.helpers import one_line_error, png_uri
from zerosum.web import codec


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
