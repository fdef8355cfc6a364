"""One self-contained HTML file from a report's data: the stylesheet, the plotting script and the data are all
inline, so the file opens from disk, offline, on any machine, and can be mailed or archived as it is."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

ASSETS = ("plot.js", "report.js", "report.css")
# nothing from anywhere: the page's own inline script and style, and images as data URIs
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def asset(name: str) -> str:
    """The text of one of the package's front-end files (report/assets/)."""
    return resources.files("zerosum.report").joinpath("assets", name).read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside <script>: no `</`, and the line separators JavaScript once treated as newlines escaped."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_html(data: dict[str, Any]) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{POLICY}">
<title>zerosum report</title>
<style>{asset("report.css")}</style>
</head>
<body>
<main id="report"></main>
<script type="application/json" id="report-data">{_script_json(data)}</script>
<script>{asset("plot.js")}</script>
<script>{asset("report.js")}</script>
</body>
</html>
"""
