"""Fuzz the image readers: random, truncated and bit-flipped bytes give a valid uint8 image or a
DataError naming the file, never another exception and never a hang."""

from __future__ import annotations

import io
import signal
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.data.helpers import write_files, write_tar, write_zip
from zerosum.data.decode import decode
from zerosum.data.folder import read_images
from zerosum.errors import DataError
from zerosum.images import load_image

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::PIL.Image.DecompressionBombWarning")

SECONDS = 10  # per decode; a healthy one takes milliseconds, a flipped size field at most a second or two


def _encode(arr: np.ndarray, fmt: str, mode: str | None = None) -> bytes:
    im = Image.fromarray(arr)
    if mode:
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, format=fmt)
    return buf.getvalue()


def _seeds() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (9, 11), dtype=np.uint8)
    return {
        "png-L": _encode(gray, "PNG"),
        "png-RGB": _encode(rgb, "PNG"),
        "png-RGBA": _encode(rng.integers(0, 256, (8, 8, 4), dtype=np.uint8), "PNG"),
        "png-LA": _encode(gray, "PNG", "LA"),
        "png-P": _encode(rgb, "PNG", "P"),
        "png-I16": _encode(gray.astype(np.uint16) * 257, "PNG"),
        "jpeg-RGB": _encode(rgb, "JPEG"),
        "jpeg-L": _encode(gray, "JPEG"),
        "jpeg-CMYK": _encode(rgb, "JPEG", "CMYK"),
        "bmp": _encode(rgb, "BMP"),
        "gif": _encode(gray, "GIF"),
        "webp": _encode(rgb, "WEBP"),
        "tiff": _encode(rgb, "TIFF"),
        "ppm": _encode(rgb, "PPM"),
    }


SEEDS = _seeds()


class _Hang(BaseException):
    """Not an Exception, so a reader's `except Exception` cannot turn a hang into a DataError."""


@contextmanager
def _deadline(seconds: float = SECONDS):
    def fire(signum, frame):
        raise _Hang(f"reading took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(autouse=True, scope="module")
def _small_bomb_limit():
    """A flipped size field can claim ~10^8 pixels; PIL's limit (here 10^6, refused above 2·10^6) bounds the work
    per example, and exercises the refusal path too."""
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1_000_000
    yield
    Image.MAX_IMAGE_PIXELS = old


def _decode_or_error(data: bytes) -> np.ndarray | None:
    """The contract of `decode`: an H×W×C uint8 array with C 1 or 3, or a one-line DataError naming the file."""
    try:
        with _deadline():
            arr = decode(data, "fuzz/x.png")
    except DataError as err:
        assert "fuzz/x.png" in str(err) and len(str(err).splitlines()) == 1, str(err)
        return None
    assert isinstance(arr, np.ndarray) and arr.dtype == np.uint8 and arr.ndim == 3, (arr.dtype, arr.shape)
    assert arr.shape[2] in (1, 3) and arr.shape[0] >= 1 and arr.shape[1] >= 1
    return arr


def _mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for at, bit in flips:
        out[at % len(out)] ^= 1 << bit
    return bytes(out[:cut] if cut is not None else out)


def test_seeds_decode():
    for name, data in SEEDS.items():
        assert _decode_or_error(data) is not None, name


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_truncation_is_an_image_or_a_data_error(name):
    data = SEEDS[name]
    step = max(1, len(data) // 150)
    for cut in range(0, len(data), step):
        _decode_or_error(data[:cut])


FUZZ = settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data):
    _decode_or_error(data)


@FUZZ
@example("tiff", [(72, 3)], None)  # found by fuzzing: PIL raised TypeError, which crashed a run before decode caught it
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 7)), min_size=1, max_size=6),
    st.none() | st.integers(1, 2000),
)
def test_bit_flipped_images(name, flips, cut):
    _decode_or_error(_mutate(SEEDS[name], flips, cut))


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(SEEDS)),
            st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 7)), max_size=4),
            st.none() | st.integers(0, 400),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["folder", "zip", "tar"]),
    st.sampled_from([None, 1, 3]),
)
def test_folder_reader_and_load_image(files, kind, channels):
    """A folder/zip/tar of fuzzed files: with skip_bad every file is either loaded or counted as skipped."""
    blobs = {f"{i}.png": _mutate(SEEDS[n], flips, cut) for i, (n, flips, cut) in enumerate(files)}
    good = sum(_decode_or_error(b) is not None for b in blobs.values())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if kind == "folder":
            path = write_files(root / "imgs", blobs)
        elif kind == "zip":
            path = write_zip(root / "imgs.zip", blobs)
        else:
            path = write_tar(root / "imgs.tar", blobs, fmt=tarfile.USTAR_FORMAT)
        for skip_bad in (True, False):
            try:
                with _deadline(3 * SECONDS):
                    got = read_images(path, size=8, channels=channels, skip_bad=skip_bad)
            except DataError as err:
                assert len(str(err).splitlines()) == 1
                assert good == 0 or not skip_bad, str(err)
                continue
            assert len(got.names) == good and got.skipped == (len(blobs) - good if skip_bad else 0)
            assert got.images.dtype == torch.uint8 and tuple(got.images.shape[2:]) == (8, 8)
            assert got.images.shape[1] in ((1, 3) if channels is None else (channels,))
        if kind == "folder":
            for name, data in blobs.items():
                try:
                    with _deadline():
                        t = load_image(path / name, channels=channels)
                except DataError:
                    assert _decode_or_error(data) is None
                    continue
                assert (
                    t.dtype == torch.uint8
                    and t.dim() == 3
                    and t.shape[0] in ((1, 3) if channels is None else (channels,))
                )
