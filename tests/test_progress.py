"""The shared progress display: plain lines with an ETA off a terminal, a tqdm bar on one, silent when asked."""

from __future__ import annotations

import io
import re

import pytest

from zerosum import progress as P


class FakeClock:
    """time.monotonic under the test's control."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(P.time, "monotonic", fake)
    monkeypatch.setenv("ZEROSUM_PROGRESS", "1")
    monkeypatch.delenv("RANK", raising=False)
    return fake


def test_plain_lines_wait_for_the_delay_then_come_every_5_percent_with_a_true_eta(clock) -> None:
    out = io.StringIO()
    with P.progress(1000, "work", unit="img", stream=out) as bar:
        for _ in range(1000):  # 0.1 s per image: 100 s in all
            clock.now += 0.1
            bar.update()
    lines = out.getvalue().splitlines()
    # nothing during the first 2 s, then the first line at once (20 images in 2 s: 980 left at 10/s = 98 s)
    assert lines[0] == "work: 20/1000 img, eta 1m38s"
    assert lines[-1] == "work: 1000/1000 img, done in 1m40s"
    counts = [int(re.match(r"work: (\d+)/", line).group(1)) for line in lines]
    assert counts == sorted(counts) and 18 <= len(lines) <= 22  # about one per 5%, not one per image
    etas = [line for line in lines[1:-1] if "eta" in line]
    assert etas and all(re.fullmatch(r"work: \d+/1000 img, eta \d+(m\d\ds|s)", line) for line in etas)


def test_lines_are_at_least_min_gap_apart_but_a_heartbeat_comes_anyway(clock) -> None:
    out = io.StringIO()
    bar = P.progress(100, "fast", unit="step", stream=out)
    for _ in range(99):  # 99 steps in 1 s after the delay: 5% lines would be 20, MIN_GAP allows one
        clock.now += 3.0 / 99
        bar.update()
    assert len(out.getvalue().splitlines()) == 1
    clock.now += P.HEARTBEAT  # the last step is slow: no 5% boundary crossed, but a minute has passed
    bar.update()
    assert out.getvalue().splitlines()[-1].startswith("fast: 100/100 step, done in")
    bar.close()


def test_short_work_says_nothing(clock) -> None:
    out = io.StringIO()
    with P.progress(50, "quick", stream=out) as bar:
        for _ in range(50):
            clock.now += 0.01
            bar.update()
    assert out.getvalue() == ""


@pytest.mark.parametrize(("env", "value"), [("ZEROSUM_PROGRESS", "0"), ("ZEROSUM_PROGRESS", "off"), ("RANK", "1")])
def test_switched_off_by_env_or_on_other_ranks(clock, monkeypatch, env, value) -> None:
    monkeypatch.setenv(env, value)
    assert not P.progress_enabled()
    out = io.StringIO()
    with P.progress(10, "off", stream=out, delay=0) as bar:
        for _ in range(10):
            clock.now += 10
            bar.update()
    assert out.getvalue() == "" and bar.n == 10
    on = io.StringIO()
    with P.progress(1, "forced", stream=on, delay=0, enabled=True) as bar:
        bar.update()
    assert "forced: 1/1 it" in on.getvalue()


def test_terminal_gets_a_tqdm_bar_with_rate_and_eta(clock) -> None:
    term = Terminal()
    with P.progress(40, "searching", unit="step", stream=term, delay=0) as bar:
        for _ in range(40):
            bar.update()
    text = term.getvalue()
    assert "searching" in text and "40/40" in text and "step/s" in text and "\r" in text
    assert not re.search(r"^searching: \d+/40 step, eta", text, re.M)  # not the plain-line form


def test_bytes_are_shown_in_megabytes_and_read_progress_follows_the_file(clock) -> None:
    out = io.StringIO()
    data = io.BytesIO(b"x" * 3_000_000)
    with P.progress(3_000_000, "reading", unit="B", stream=out, delay=0) as bar:
        reader = P.ReadProgress(data, bar)
        for _ in range(3):
            clock.now += 10
            assert len(reader.read(1_000_000)) == 1_000_000
        assert bar.n == 3_000_000 and reader.tell() == 3_000_000  # other calls reach the file
    assert out.getvalue().splitlines() == ["reading: 1.0/3.0 MB, eta 20s", "reading: 2.0/3.0 MB, eta 10s",
                                           "reading: 3.0/3.0 MB, done in 30s"]  # fmt: skip


def test_update_to_never_goes_back(clock) -> None:
    bar = P.progress(10, "x", stream=io.StringIO())
    bar.update_to(6)
    bar.update_to(3)
    assert bar.n == 6


@pytest.mark.parametrize(
    ("n", "total", "unit", "text"),
    [(40, 200, "img", "40/200 img"), (1_500_000, 163_000_000, "B", "1.5/163.0 MB"), (512, 2048, "B", "0.5/2.0 kB"),
     (3, 700, "B", "3/700 B"), (2e9, 4e9, "B", "2.0/4.0 GB")],
)  # fmt: skip
def test_amounts(n, total, unit, text) -> None:
    assert P.amounts(n, total, unit) == text


@pytest.mark.parametrize(("seconds", "text"), [(0.4, "0s"), (31, "31s"), (125, "2m05s"), (3720, "1h02m")])
def test_duration(seconds, text) -> None:
    assert P.duration(seconds) == text
