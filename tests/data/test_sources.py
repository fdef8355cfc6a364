import gzip
import hashlib
import struct

import numpy as np
import pytest

from zerosum.config import DataConfig
from zerosum.data import describe_sources, load_dataset, sources
from zerosum.data.sources import Remote, download
from zerosum.errors import DataError


def mnist_like(folder, n: int, fill: int = 0):
    """A valid train pair of `n` images filled with `fill`: tells which copy was loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    images = bytes([0, 0, 8, 3]) + struct.pack(">3I", n, 28, 28) + bytes([fill]) * (n * 784)
    labels = bytes([0, 0, 8, 1]) + struct.pack(">I", n) + bytes(n)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(images))
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels))
    return folder


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty candidate folders for every source rule; returns a dict of them."""
    dirs = {k: tmp_path / k for k in ("root", "env", "system", "cache")}
    dirs["root"].mkdir()  # a --data-root must exist; the others may be missing
    monkeypatch.setenv("ZEROSUM_DATA", str(dirs["env"]))
    monkeypatch.setenv("ZEROSUM_CACHE", str(dirs["cache"]))
    monkeypatch.setattr(sources, "SYSTEM_DIR", dirs["system"])
    return dirs


def test_search_order(places):
    # fashion-mnist has no built-in copy: root > $ZEROSUM_DATA > system > cache
    for fill, key in ((4, "cache"), (3, "system"), (2, "env")):
        mnist_like(places[key] / "fashion-mnist", 1, fill)
        assert load_dataset(DataConfig(name="fashion-mnist")).images.max().item() == fill
    mnist_like(places["root"] / "fashion-mnist", 1, 1)
    s = load_dataset(DataConfig(name="fashion-mnist", root=str(places["root"])))
    assert s.images.max().item() == 1 and s.source.startswith("--data-root")
    # the root folder itself also works when it holds the files directly
    direct = mnist_like(places["root"] / "direct", 1, 9)
    assert load_dataset(DataConfig(name="fashion-mnist", root=str(direct))).images.max().item() == 9


def test_aliases_and_builtin_position(places):
    mnist_like(places["system"] / "mnist", 2, 7)
    s = load_dataset(DataConfig(name="mnist"))
    assert s.source.startswith("built-in") and len(s) == 60000  # built-in comes before the system copy
    mnist_like(places["env"] / "MNIST" / "raw", 2, 5)  # the torchvision layout
    assert load_dataset(DataConfig(name="mnist")).images.max().item() == 5


def test_one_error_names_every_place(places):
    with pytest.raises(DataError) as info:
        load_dataset(DataConfig(name="fashion-mnist", root=str(places["root"])))
    msg = str(info.value)
    assert "\n" not in msg
    for key in ("root", "env", "system", "cache"):
        assert str(places[key]) in msg
    assert "--data-root" in msg and "ZEROSUM_DATA" in msg and "connect to the internet" in msg
    assert "test tried to download" in msg  # the download was attempted through the (mocked) fetch


def test_offline_switch_skips_download(places, monkeypatch):
    monkeypatch.setenv("ZEROSUM_OFFLINE", "1")
    monkeypatch.setattr(sources, "fetch", lambda *a, **k: pytest.fail("must not download"))
    with pytest.raises(DataError, match="ZEROSUM_OFFLINE"):
        load_dataset(DataConfig(name="cifar10"))
    with pytest.raises(DataError, match="no download is known"):
        load_dataset(DataConfig(name="olivetti-faces"))


def test_download_verifies_and_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "fetch", _file_fetch)
    src = tmp_path / "src.bin"
    src.write_bytes(b"canonical bytes")
    good = Remote("f.bin", (src.as_uri(),), "sha256:" + hashlib.sha256(b"canonical bytes").hexdigest())
    out = download(good, tmp_path / "dl")
    assert out.read_bytes() == b"canonical bytes" and [p.name for p in (tmp_path / "dl").iterdir()] == ["f.bin"]
    bad = Remote("g.bin", ("file:///nonexistent/x", src.as_uri()), "md5:" + "0" * 32)
    with pytest.raises(DataError, match=r"g\.bin failed.*nonexistent.*expected 0000"):
        download(bad, tmp_path / "dl")
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == ["f.bin"]  # no temp file, no bad file left


REAL_FETCH = sources.fetch  # taken at import, before the autouse fixture replaces it


def _file_fetch(url, out, timeout=1.0):
    """The real urllib `fetch`, allowed here because file:// URLs never leave the machine."""
    assert url.startswith("file://")
    REAL_FETCH(url, out, timeout)


def test_download_fills_the_cache_and_loads(places, monkeypatch, tmp_path):
    mirror = mnist_like(tmp_path / "mirror", 3, 8)
    sums = {p.name: "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    remotes = tuple(Remote(name, ((mirror / name).as_uri(),), s) for name, s in sums.items())
    from zerosum.data import registry

    spec = registry.SPECS["fashion-mnist"]
    monkeypatch.setitem(registry.SPECS, "fashion-mnist", type(spec)(**{**spec.__dict__, "remotes": remotes}))
    monkeypatch.setattr(sources, "fetch", _file_fetch)
    s = load_dataset(DataConfig(name="fashion-mnist"))
    assert s.source.startswith("download") and len(s) == 3
    assert (places["cache"] / "fashion-mnist" / "train-images-idx3-ubyte.gz").is_file()
    assert load_dataset(DataConfig(name="fashion-mnist")).source.startswith("cache")


def test_describe_sources(places):
    mnist_like(places["env"] / "fashion-mnist", 1)
    info = {d["name"]: d for d in describe_sources(str(places["root"]))}
    assert set(info) >= {"mnist", "fashion-mnist", "cifar10", "olivetti-faces", "folder", "ring-8"}
    assert info["fashion-mnist"]["found"] == {"source": "$ZEROSUM_DATA", "path": str(places["env"] / "fashion-mnist")}
    assert info["fashion-mnist"]["path"] == str(places["env"] / "fashion-mnist")  # flat copies of `found`
    assert info["mnist"]["found"]["source"] == info["mnist"]["source"] == "built-in"
    assert info["cifar10"]["path"] is None and info["ring-8"]["source"] == "generated"
    assert info["cifar10"]["found"] is None and info["cifar10"]["downloadable"] is True
    looked = [p["path"] for p in info["cifar10"]["looked"]]
    assert looked[0] == str(places["root"] / "cifar10") and looked[-1] == str(places["cache"] / "cifar10")
    assert info["olivetti-faces"]["downloadable"] is False
    assert np.all([d["found"]["source"] == "generated" for n, d in info.items() if n in ("toy-1d", "grid-25")])


def test_error_says_what_was_not_set(places, monkeypatch):
    monkeypatch.delenv("ZEROSUM_DATA")
    with pytest.raises(DataError, match=r"--data-root not given; \$ZEROSUM_DATA unset"):
        load_dataset(DataConfig(name="olivetti-faces"))
