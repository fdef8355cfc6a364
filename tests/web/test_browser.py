"""The pages in a real browser (headless Chromium): the report, the explorer, completion's errors and the lab.

They run on the session's tiny runs. `benchmarks/web.py` runs this same file on a folder of real runs
(ZEROSUM_WEB_RUNS, ZEROSUM_WEB_RUN) and collects the timings each test measures (ZEROSUM_WEB_TIMINGS), and with
ZEROSUM_WEB_SHOTS the tests save the screenshots of docs/serve.md.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.web.browser import chromium, console_errors, why_not

if why_not() is not None and os.environ.get("ZEROSUM_REQUIRE_BROWSER"):  # CI: a missing browser is a failure
    raise RuntimeError(f"ZEROSUM_REQUIRE_BROWSER is set but the browser tests cannot run: {why_not()}")
pytestmark = pytest.mark.skipif(why_not() is not None, reason=f"no browser: {why_not()}")


def record(name: str, value: float, unit: str) -> None:
    """A timing, kept where benchmarks/web.py reads it (nowhere when it is not the one running)."""
    if target := os.environ.get("ZEROSUM_WEB_TIMINGS"):
        with open(target, "a") as f:
            f.write(json.dumps({"name": name, "value": round(value, 4), "unit": unit}) + "\n")


def shot(driver, name: str, section: str | None = None) -> None:
    """Save the window as NAME.png (scrolled to the element with id `section` first) for the docs."""
    if folder := os.environ.get("ZEROSUM_WEB_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.execute_script("window.scrollTo(0, 0)")
        if section:
            driver.execute_script(f"document.getElementById('{section}').scrollIntoView()")
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def wait_for(condition, timeout: float = 30.0, every: float = 0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s")


@pytest.fixture(scope="module")
def target(request):
    """(base URL, run name, runs folder): the session's tiny runs, or the folder benchmarks/web.py names."""
    if folder := os.environ.get("ZEROSUM_WEB_RUNS"):
        from tests.web.conftest import start_server

        with start_server(Path(folder)) as base:
            yield base, os.environ.get("ZEROSUM_WEB_RUN", "demo"), Path(folder)
        return
    yield request.getfixturevalue("server"), "tiny", request.getfixturevalue("runs_dir")


@pytest.fixture(scope="module")
def driver():
    d = chromium()
    yield d
    d.quit()


def open_page(driver, url: str) -> None:
    """Go to `url` with the console's earlier messages (another test's) drained first."""
    console_errors(driver)
    driver.get(url)


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def test_the_report_opens_offline_with_its_plots(driver, target, tmp_path):
    from zerosum.report import write_report

    _, name, folder = target
    page = write_report(folder / name, tmp_path / "report.html")
    console_errors(driver)
    start = time.perf_counter()
    driver.get(page.as_uri())  # a file on disk: nothing can come from a server
    wait_for(lambda: js(driver, "return document.body.dataset.ready"))
    seconds = time.perf_counter() - start
    record("report load", seconds, "s")
    plots = js(driver, "return document.querySelectorAll('.zplot svg path.series').length")
    titles = js(driver, "return Array.from(document.querySelectorAll('.zplot .title')).map(t => t.textContent)")
    assert plots >= 6 and {"losses", "D(x) and D(G(z))"} <= set(titles)
    assert js(driver, "return document.querySelectorAll('#timeline').length") == 1
    first = js(driver, "return document.getElementById('timeline-image').src")
    js(driver, "const s = document.getElementById('timeline'); s.value = 0; s.dispatchEvent(new Event('input'));")
    assert (
        js(driver, "return document.getElementById('timeline-image').src") != first
        or js(driver, "return document.getElementById('timeline').max") == "0"
    )
    assert console_errors(driver) == []
    shot(driver, "report")


def test_the_explorer_draws_a_grid_a_walk_and_an_arithmetic_result(driver, target):
    base, name, _ = target
    open_page(driver, f"{base}/run?run={name}")
    wait_for(lambda: js(driver, "return document.body.dataset.ready"))
    wait_for(lambda: js(driver, "return document.querySelectorAll('#grid img').length") == 64)
    times = []
    for seed in range(1, 6):  # the page's own measure: request to drawn grid, as a user waits for it
        js(driver, f"document.getElementById('seed').value = {seed}; document.getElementById('draw').click();")
        wait_for(lambda s=seed: js(driver, "return document.getElementById('timing').textContent") and
                 js(driver, "return document.getElementById('seed').value") == str(s) and
                 not js(driver, "return document.getElementById('draw').disabled"))  # fmt: skip
        times.append(float(js(driver, "return document.getElementById('grid').dataset.ms")) / 1000)
    record("64-sample grid (median of 5)", sorted(times)[2], "s")
    js(driver, "document.querySelectorAll('#grid img')[0].click(); document.querySelectorAll('#grid img')[1].click();")
    assert js(driver, "return document.querySelectorAll('#grid img.picked').length") == 2
    js(driver, "document.getElementById('walk').click()")
    wait_for(lambda: js(driver, "return document.querySelectorAll('#walk-strip img').length") == 10)
    js(driver, "document.getElementById('clear-picks').click()")
    assert js(driver, "return document.querySelectorAll('#grid img.picked, #tray img').length") == 0
    for group, cell in (("a", 2), ("b", 3), ("c", 4)):
        js(driver, f"document.querySelectorAll('#grid img')[{cell}].click()")
        js(driver, f"document.querySelector('[data-group={group}]').click()")
    js(driver, "document.getElementById('compute').click()")
    wait_for(lambda: js(driver, "return document.querySelectorAll('#equation img').length") == 4)
    assert js(driver, "return document.querySelectorAll('#neighbours img').length") == 8
    js(driver, "document.getElementById('load-directions').click()")
    wait_for(lambda: js(driver, "return document.querySelectorAll('#sliders input').length") == 8)
    wait_for(lambda: js(driver, "return document.getElementById('slide-image').src.startsWith('data:image/png')"))
    assert js(driver, "return document.getElementById('error').hidden")
    assert console_errors(driver) == []
    shot(driver, "explorer-grid")
    shot(driver, "explorer", "interpolation")


def test_a_bad_upload_shows_its_error(driver, target, tmp_path):
    from selenium.webdriver.common.by import By

    base, name, _ = target
    open_page(driver, f"{base}/run?run={name}")
    wait_for(lambda: js(driver, "return document.body.dataset.ready"))
    fake = tmp_path / "holiday.png"
    fake.write_text("these are not pixels")
    driver.find_element(By.ID, "upload").send_keys(str(fake))
    message = wait_for(lambda: not js(driver, "return document.getElementById('error').hidden") and
                       js(driver, "return document.getElementById('error').textContent"))  # fmt: skip
    assert "image: not an image that can be read" in message
    console_errors(driver)  # the failed request itself is logged by the browser: expected here


def test_completion_shows_its_progress_and_result(driver, target):
    base, name, _ = target
    open_page(driver, f"{base}/run?run={name}")
    wait_for(lambda: js(driver, "return document.body.dataset.ready"))
    js(driver, "document.getElementById('load-picks').click()")
    wait_for(lambda: js(driver, "return document.querySelectorAll('#picks img').length") == 12)
    steps = 300 if os.environ.get("ZEROSUM_WEB_SHOTS") else 60  # the docs' picture: the page's default search
    js(driver, "document.getElementById('half-mask').click()")
    js(driver, f"document.getElementById('complete-steps').value = {steps}")
    js(driver, "document.getElementById('complete').click()")
    wait_for(lambda: js(driver, "return document.querySelectorAll('#complete-result img').length") >= 5, timeout=120)
    assert js(driver, "return document.getElementById('complete-progress').value") == steps
    assert js(driver, "return document.getElementById('complete-preview').src.startsWith('data:image/png')")
    assert console_errors(driver) == []
    shot(driver, "completion", "completion")


def test_the_lab_trains_ring_8_live(driver, target):
    base, _, _ = target
    open_page(driver, f"{base}/lab")
    wait_for(lambda: js(driver, "return window.zerosumLab && window.zerosumLab.frame !== null"))
    before = js(driver, "return document.getElementById('view').toDataURL()")
    js(driver, "document.getElementById('play').click()")
    wait_for(lambda: int(js(driver, "return document.body.dataset.step || 0")) >= 50)
    assert js(driver, "return document.getElementById('view').toDataURL()") != before  # the plots changed
    frames0, t0 = js(driver, "return window.zerosumLab.frames"), time.perf_counter()
    time.sleep(4)
    frames1, t1 = js(driver, "return window.zerosumLab.frames"), time.perf_counter()
    rate = (frames1 - frames0) / (t1 - t0)
    record("lab updates on ring-8", rate, "frames/s")
    assert rate > 2  # the live target (≥ 10/s) is measured by benchmarks/web.py on an idle machine
    if os.environ.get("ZEROSUM_WEB_SHOTS"):  # the docs' picture: a ring well on its way (50 updates a frame)
        js(
            driver,
            "const s = document.getElementById('steps_per_frame'); s.value = 50; s.dispatchEvent(new Event('change'));",
        )
        wait_for(lambda: int(js(driver, "return document.body.dataset.step || 0")) >= 6000, timeout=120)
    js(driver, "document.getElementById('play').click()")  # pause
    wait_for(lambda: js(driver, "return document.getElementById('play').textContent") == "play")
    assert js(driver, "return document.getElementById('error').hidden") and console_errors(driver) == []
    shot(driver, "lab")
