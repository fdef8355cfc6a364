import tarfile

import pytest

from tests.data.helpers import write_tar
from zerosum.data.tarindex import index_tar
from zerosum.errors import DataError

FILES = {
    "a/short.png": b"x" * 10,
    "b/" + "long" * 40 + ".png": b"y" * 700,  # name over 100 bytes: GNU long name or pax path
    "c/ünïcode.jpg": b"z" * 512,
    "./d/empty.bmp": b"",
}


def reference(path):
    with tarfile.open(path) as tf:
        return [(m.name.removeprefix("./"), m.offset_data, m.size) for m in tf if m.isfile()]


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
def test_index_matches_tarfile(tmp_path, fmt):
    files = FILES if fmt != tarfile.USTAR_FORMAT else {k: v for k, v in FILES.items() if "long" not in k}
    path = write_tar(tmp_path / "a.tar", files, fmt=fmt)
    with tarfile.open(path, "a", format=fmt) as tf:  # a directory and a symlink are not listed
        folder = tarfile.TarInfo("dir")
        folder.type = tarfile.DIRTYPE
        tf.addfile(folder)
        link = tarfile.TarInfo("link.png")
        link.type = tarfile.SYMTYPE
        link.linkname = "a/short.png"
        tf.addfile(link)
    got = index_tar(path)
    assert got == reference(path)
    with open(path, "rb") as f:
        for name, at, size in got:
            f.seek(at)
            want = files.get(name, files.get("./" + name))
            assert f.read(size) == want


def test_truncated_and_corrupt(tmp_path):
    path = write_tar(tmp_path / "a.tar", {"a.png": b"x" * 2000, "b.png": b"y" * 10})
    data = path.read_bytes()
    (tmp_path / "cut.tar").write_bytes(data[:1200])
    with pytest.raises(DataError, match=r"cut\.tar is cut short"):
        index_tar(tmp_path / "cut.tar")
    bad = bytearray(data)
    bad[0] ^= 0xFF  # breaks the first header's checksum
    (tmp_path / "bad.tar").write_bytes(bytes(bad))
    with pytest.raises(DataError, match=r"bad\.tar has a corrupt header"):
        index_tar(tmp_path / "bad.tar")
    (tmp_path / "half.tar").write_bytes(data[:300])
    with pytest.raises(DataError, match="ends inside a header"):
        index_tar(tmp_path / "half.tar")


def test_huge_sizes_fall_back_to_tarfile(tmp_path):
    header = bytearray(tarfile.TarInfo("x.png").tobuf(tarfile.GNU_FORMAT))
    header[124] = 0x80  # base-256 size field
    header[148:156] = b" " * 8
    header[148:155] = f"{sum(header):06o}\0".encode()
    (tmp_path / "big.tar").write_bytes(bytes(header) + b"\0" * 1024)
    assert index_tar(tmp_path / "big.tar") is None
