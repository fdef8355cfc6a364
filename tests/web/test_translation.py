"""The image-to-image endpoint."""

from __future__ import annotations

import numpy as np

from tests.web.helpers import png_uri


def test_an_image_to_image_run_translates_an_upload(client):
    photo = np.full((32, 32, 3), 200, dtype=np.uint8)
    out = client.post("/api/translate", json={"run": "group/p2m", "image": png_uri(photo)}).json()
    assert out["picture"].startswith("data:image/png") and out["columns"] == ["input", "output"]
    held = client.post("/api/translate", json={"run": "group/p2m", "n": 2}).json()
    assert held["columns"] == ["input", "output", "target"] and len(held["images"]) == 2
