"""Where a dataset's bytes come from.

Places are tried in a fixed order, so the same command finds the same files everywhere:
`--data-root` (`<root>/<name>`, then the folder itself) → `$ZEROSUM_DATA/<name>` → the built-in copy (MNIST,
package data) → Debian's `/usr/share/datasets/<name>` → the cache (`$ZEROSUM_CACHE` or `~/.cache/zerosum`),
which is filled by downloading the canonical files when a network exists. A copy that is found but broken is
reported, never skipped silently in favour of the next place: a corrupt file in your data root is a bug to fix.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from zerosum.errors import DataError

SYSTEM_DIR = Path("/usr/share/datasets")
TIMEOUT_S = 15.0

Probe = Callable[[Path], "Path | None"]


@dataclass(frozen=True)
class Place:
    """One place looked at: which rule produced it (`source`) and the folder."""

    source: str
    path: Path

    def __str__(self) -> str:
        return f"{self.source} {self.path}"


@dataclass(frozen=True)
class Remote:
    """A canonical file: mirrors to try, its name on disk and `algo:hexdigest` to verify it against."""

    filename: str
    urls: tuple[str, ...]
    checksum: str


@dataclass(frozen=True)
class Found:
    """What `locate` returns: the thing the reader opens (a folder or a file) and the place's source rule."""

    path: Path
    source: str


def cache_dir() -> Path:
    """Downloads and decoded caches go here; never inside the repository."""
    env = os.environ.get("ZEROSUM_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "zerosum"


def builtin_dir(name: str) -> Path | None:
    """The copy shipped as package data (only MNIST, for the offline demo)."""
    folder = resources.files("zerosum") / "data" / "builtin" / name
    path = Path(str(folder))
    return path if path.is_dir() else None


def check_root(root: str | os.PathLike | None) -> None:
    """A `--data-root` that does not exist is a typo, not a place to skip: say so instead of searching on."""
    if root and not Path(root).expanduser().exists():
        raise DataError(f"--data-root {root} does not exist; give an existing folder (or .zip/.tar) of datasets")


def places(name: str, root: str | None, aliases: Sequence[str] = ()) -> list[Place]:
    """Every folder that may hold `name`, in search order; names in `aliases` are tried after `name`."""
    check_root(root)
    names = [name, *[a for a in aliases if a != name]]
    out: list[Place] = []
    if root:
        base = Path(root).expanduser()
        out += [Place("--data-root", base / n) for n in names]
        out.append(Place("--data-root", base))
    env = os.environ.get("ZEROSUM_DATA")
    if env:
        out += [Place("$ZEROSUM_DATA", Path(env).expanduser() / n) for n in names]
    builtin = builtin_dir(name)
    if builtin is not None:
        out.append(Place("built-in", builtin))
    out += [Place("system", SYSTEM_DIR / n) for n in names]
    out.append(Place("cache", cache_dir() / name))
    return out


def _probe_all(candidates: list[Place], probe: Probe) -> Found | None:
    for place in candidates:
        try:
            hit = probe(place.path) if place.path.exists() else None
        except OSError:  # an unreadable folder is as good as a missing one; it is still listed as looked at
            hit = None
        if hit is not None:
            return Found(hit, place.source)
    return None


def describe(name: str, root: str | None, probe: Probe, aliases: Sequence[str] = (), downloadable: bool = False):
    """Where `name` would be loaded from, without downloading: for `zerosum data`.

    `found` is {source, path} or None; `source` and `path` repeat it flat (None when not found).
    """
    candidates = places(name, root, aliases)
    found = _probe_all(candidates, probe)
    return {
        "name": name,
        "found": None if found is None else {"source": found.source, "path": str(found.path)},
        "source": None if found is None else found.source,
        "path": None if found is None else str(found.path),
        "looked": [{"source": p.source, "path": str(p.path)} for p in candidates],
        "downloadable": downloadable,
    }


def locate(
    name: str, root: str | None, probe: Probe, aliases: Sequence[str] = (), remotes: Sequence[Remote] = ()
) -> Found:
    """The first place holding `name`, downloading into the cache as a last resort.

    Raises one DataError that lists every place looked at and how to fix it.
    """
    candidates = places(name, root, aliases)
    found = _probe_all(candidates, probe)
    if found is not None:
        return found
    problem = "no download is known for it"
    if remotes:
        if os.environ.get("ZEROSUM_OFFLINE"):
            problem = "download skipped because ZEROSUM_OFFLINE is set"
        else:
            target = cache_dir() / name
            try:
                for remote in remotes:
                    download(remote, target)
                hit = probe(target)
                if hit is not None:
                    return Found(hit, "download")
                problem = f"downloaded files in {target} are not usable"
            except DataError as e:
                problem = str(e)
    looked = "; ".join(str(p) for p in candidates)
    looked += "; --data-root not given" if not root else ""
    looked += "; $ZEROSUM_DATA unset" if not os.environ.get("ZEROSUM_DATA") else ""
    hint = f"ZEROSUM_DATA to a folder holding {name}/" + (", or connect to the internet" if remotes else "")
    raise DataError(f"dataset {name!r} not found (looked in: {looked}; {problem}); set --data-root or {hint}")


def fetch(url: str, out: BinaryIO, timeout: float = TIMEOUT_S) -> None:
    """Stream `url` into `out`. Module-level so tests can replace it; they never touch the network."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https/http/file only)
        while chunk := response.read(1 << 20):
            out.write(chunk)


def file_digest(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def download(remote: Remote, target_dir: Path) -> Path:
    """Fetch `remote` into `target_dir`, verified; a file already there with the right checksum is kept.

    Bytes go to a temporary file beside the target and are renamed only after the checksum matched, so an
    interrupted or tampered download never leaves a file that looks complete.
    """
    algo, _, expected = remote.checksum.partition(":")
    dest = target_dir / remote.filename
    if dest.is_file() and file_digest(dest, algo) == expected:
        return dest
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"cannot create the download folder {target_dir} ({e}); set ZEROSUM_CACHE") from e
    errors = []
    for url in remote.urls:
        fd, tmp_name = tempfile.mkstemp(dir=target_dir, prefix=f".{remote.filename}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                fetch(url, out)
            got = file_digest(tmp, algo)
            if got != expected:
                errors.append(f"{url} has {algo} {got}, expected {expected}")
                continue
            os.replace(tmp, dest)
            return dest
        except (OSError, ValueError) as e:  # URLError, timeouts and refused connections are OSErrors
            errors.append(f"{url}: {getattr(e, 'reason', None) or e}")
        finally:
            tmp.unlink(missing_ok=True)
    raise DataError(f"download of {remote.filename} failed ({'; '.join(errors)})")
