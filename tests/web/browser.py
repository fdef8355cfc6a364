"""Headless Chromium for the browser tests: the system's own browser and driver (Debian's chromium and
chromium-driver), started with flags that keep it off the network. Nothing here downloads a browser."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--metrics-recording-only", "--window-size=1280,1600",
)  # fmt: skip


def found(candidates: tuple[str, ...], name: str) -> str | None:
    return next((p for p in candidates if Path(p).is_file()), None) or shutil.which(name)


def why_not() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (make test installs it)"
    if found(CHROMIUM, "chromium") is None:
        return "no Chromium: install Debian's chromium (make test does, as root)"
    if found(DRIVER, "chromedriver") is None:
        return "no ChromeDriver: install Debian's chromium-driver (make test does, as root)"
    return None


def chromium():
    """A headless Chromium driven by the system's ChromeDriver, logging the page's console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found(CHROMIUM, "chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='zerosum-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = {**os.environ, "SE_AVOID_STATS": "true"}
    return webdriver.Chrome(service=Service(found(DRIVER, "chromedriver"), env=env), options=options)


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
