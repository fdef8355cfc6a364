"""The application: its listing, the names it refuses, its pages, assets and reports."""

from __future__ import annotations

import pytest

from tests.web.helpers import one_line_error


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
