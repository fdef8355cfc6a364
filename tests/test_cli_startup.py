"""Start-up of the `zerosum` command: light imports, and Ctrl-C while torch is still loading."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}


def _imports_torch(code: str) -> bool:
    probe = f"{code}\nimport sys\nprint('torch' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1] == "True"


def test_importing_the_cli_does_not_import_torch():
    assert not _imports_torch("import zerosum.cli")


def test_the_package_loads_its_api_on_first_use():
    assert not _imports_torch("import zerosum\nassert zerosum.ConfigError and zerosum.__version__")
    assert _imports_torch("from zerosum import train, load_run, Samples")


def test_the_public_names_are_all_reachable():
    import zerosum

    assert sorted(zerosum.__all__) == sorted(set(zerosum.__all__))
    for name in zerosum.__all__:
        assert getattr(zerosum, name) is not None
        assert name in dir(zerosum)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        zerosum.nope  # noqa: B018


# The commands that only list or describe: they read torch-free declarations (presets, data, metric and experiment
# catalogues), so they answer at once. Each with a line of its normal output.
LISTING = [
    (["--help"], "usage: zerosum"),
    (["presets"], "demo "),
    (["data"], "ring-8           (generated)"),
    (["metrics"], "fid10k_test"),
    (["reproduce", "--list"], "toy-1d           Figure 1"),
]


@pytest.mark.parametrize(("argv", "expected"), LISTING, ids=[" ".join(argv) for argv, _ in LISTING])
def test_listing_commands_do_not_import_torch(tmp_path, argv, expected):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys, atexit\n"
        "atexit.register(lambda: print('torch' in sys.modules, file=sys.stderr))\n"  # after main, even --help's exit
        "from zerosum.cli import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    proc = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout
    assert proc.stderr.strip() == "False"


def test_every_declaration_names_a_function_that_exists():
    """The torch-free declarations name their code by import path: each path must lead to a function."""
    from zerosum.data.registry import SPECS
    from zerosum.lazy import LazyFunction
    from zerosum.metrics import list_metrics
    from zerosum.reproduce import experiments

    lazy = [spec.load for spec in SPECS.values()] + [m.compute for m in list_metrics()] + [e.fn for e in experiments()]
    for fn in lazy:
        assert isinstance(fn, LazyFunction) and callable(fn.resolve()), fn


def _torch_is_loading(pid: int) -> bool:
    """True once torch's shared libraries are mapped into the process: it is importing torch (or later)."""
    try:
        return "/torch/lib/" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("zerosum")
    found = str(script) if script.is_file() else shutil.which("zerosum")
    if found is None:
        pytest.skip("the zerosum console script is not installed beside this Python")
    return [found]


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="watches /proc/PID/maps to time the signal")
@pytest.mark.parametrize("entry", ["console script", "python -m zerosum"])
def test_ctrl_c_while_importing_is_one_line_and_exit_130(tmp_path, entry):
    out = tmp_path / "run"
    command = _console_script() if entry == "console script" else [sys.executable, "-m", "zerosum"]
    proc = subprocess.Popen(
        [*command, "train", "--preset", "demo", "--set", "train.steps=50", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        # A job started in the background of a non-interactive shell (as CI may be) inherits SIGINT ignored, and
        # Python then installs no KeyboardInterrupt handler: give the child the default a terminal gives it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        # The signal goes in as soon as torch starts loading, which takes seconds: well before any training.
        deadline = time.monotonic() + 60
        while proc.poll() is None and not _torch_is_loading(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        assert not out.exists()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["zerosum: stopped"], stderr
    assert stdout == ""
    assert not out.exists()
