import io
import re

import numpy as np
import pytest
import torch
from PIL import Image

from tests.data.helpers import labeled_files, png_bytes, solid, write_files, write_tar, write_zip
from zerosum.config import DataConfig
from zerosum.data import decode, load_dataset
from zerosum.data.folder import plan, read_images
from zerosum.errors import DataError

CLASSES = {"cat": 10, "dog": 100, "bird": 200}


def folder_cfg(path, **kw) -> DataConfig:
    return DataConfig(name="folder", root=str(path), **kw)


@pytest.mark.parametrize("kind", ["dir", "zip", "tar", "tar.gz"])
def test_nested_classes_in_every_container(tmp_path, kind):
    files = labeled_files(CLASSES, prefix="pets/")  # one wrapper folder, ignored
    files["pets/notes.txt"] = b"not an image"
    files["pets/.hidden/x.png"] = b"garbage"
    files["__MACOSX/pets/._0.png"] = b"garbage"
    if kind == "dir":
        path = write_files(tmp_path / "pets", files)
    elif kind == "zip":
        path = write_zip(tmp_path / "pets.zip", files)
    else:
        path = write_tar(tmp_path / f"pets.{kind}", files, "w:gz" if kind == "tar.gz" else "w")
    s = load_dataset(folder_cfg(path))
    if kind == "dir":  # __MACOSX sits outside the wrapper here, so pets/ is a class folder level deeper
        s = load_dataset(folder_cfg(path / "pets"))
    assert s.classes == ("bird", "cat", "dog") and len(s) == 9 and s.shape == (1, 8, 8)
    assert s.images.dtype == torch.uint8 and s.name == "pets"
    # round-robin over classes, each in file order: bird0 cat0 dog0 bird1 ...
    assert s.labels.tolist() == [0, 1, 2] * 3
    assert s.images[:, 0, 0, 0].tolist() == [200, 10, 100, 201, 11, 101, 202, 12, 102]


def test_flat_folder_is_unlabeled_in_natural_order(tmp_path):
    write_files(tmp_path, {f"img{i}.PNG": png_bytes(solid(i)) for i in (10, 2, 1)})
    s = load_dataset(folder_cfg(tmp_path))
    assert s.classes == () and s.labels.tolist() == [0, 0, 0]
    assert s.images[:, 0, 0, 0].tolist() == [1, 2, 10]


def test_name_may_be_a_path(tmp_path):
    path = write_zip(tmp_path / "faces.zip", {"a.png": png_bytes(solid(5))})
    s = load_dataset(DataConfig(name=str(path)))
    assert s.name == "faces" and len(s) == 1


def test_mixed_modes_become_one_tensor(tmp_path):
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:4, :, 3] = 255  # top half opaque red, bottom half fully transparent
    palette = io.BytesIO()
    Image.fromarray(solid(9, channels=3)).convert("P", palette=Image.Palette.ADAPTIVE).save(palette, "BMP")
    files = {
        "a_gray.png": png_bytes(solid(50)),
        "b_rgb.jpg": png_bytes(solid(120, channels=3), fmt="JPEG"),
        "c_rgba.png": png_bytes(rgba, "RGBA"),
        "d_la.png": png_bytes(np.stack([solid(0), solid(0)], -1), "LA"),  # black, fully transparent
        "e_pal.bmp": palette.getvalue(),
        "f.webp": png_bytes(solid(200, channels=3), fmt="WEBP"),
    }
    write_files(tmp_path, files)
    s = load_dataset(folder_cfg(tmp_path))
    assert s.shape == (3, 8, 8)
    first = s.images[:, :, 0, 0].tolist()
    assert first[0] == [50, 50, 50]
    assert all(abs(v - 120) <= 2 for v in first[1])
    assert s.images[2, :, 0, 0].tolist() == [255, 0, 0] and s.images[2, :, 7, 0].tolist() == [255, 255, 255]
    assert first[3] == [255, 255, 255]  # transparent composited on white
    assert first[4] == [9, 9, 9] and first[5][0] >= 195
    gray = load_dataset(folder_cfg(tmp_path, channels=1))
    assert gray.shape == (1, 8, 8) and gray.images[2, 0, 0, 0].item() == 76  # luma of pure red


def test_gray_only_folder_stays_single_channel_unless_asked(tmp_path):
    write_files(tmp_path, {"a.png": png_bytes(solid(7)), "b.pgm": png_bytes(solid(8), fmt="PPM")})
    assert load_dataset(folder_cfg(tmp_path)).shape == (1, 8, 8)
    assert load_dataset(folder_cfg(tmp_path, channels=3)).shape == (3, 8, 8)


def test_different_sizes_need_a_size(tmp_path):
    write_files(tmp_path, {"a.png": png_bytes(solid(7, size=8)), "b.png": png_bytes(np.full((6, 12), 9, np.uint8))})
    with pytest.raises(DataError, match=r"different sizes \(12×6, 8×8, ...\); set data.size"):  # width × height
        load_dataset(folder_cfg(tmp_path))
    s = load_dataset(folder_cfg(tmp_path, size=4))
    assert s.shape == (1, 4, 4) and s.images[:, 0, 0, 0].tolist() == [7, 9]


def test_corrupt_image_names_the_file_or_is_skipped(tmp_path):
    good = png_bytes(solid(1))
    write_files(tmp_path, {"a.png": good, "b.png": good[: len(good) // 2], "c.jpg": b"\xff\xd8 not really"})
    with pytest.raises(DataError, match=r"b\.png"):
        load_dataset(folder_cfg(tmp_path))
    s = load_dataset(folder_cfg(tmp_path, skip_bad=True))
    assert len(s) == 1 and s.skipped == 2


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_corrupt_member_names_archive_and_member(tmp_path, kind):
    files = {"x/ok.png": png_bytes(solid(1)), "x/bad.png": b"\x89PNG\r\n\x1a\n broken"}
    path = write_zip(tmp_path / "a.zip", files) if kind == "zip" else write_tar(tmp_path / "a.tar", files)
    with pytest.raises(DataError, match=rf"a\.{kind}:x/bad\.png"):
        load_dataset(folder_cfg(path))


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_truncated_archive_is_reported(tmp_path, kind):
    files = {
        f"{i}.png": png_bytes(np.random.default_rng(i).integers(0, 256, (16, 16)).astype(np.uint8)) for i in range(4)
    }
    maker = write_zip if kind == "zip" else write_tar
    path = maker(tmp_path / f"a.{kind}", files, *(["w:gz"] if kind == "tar.gz" else []))
    data = path.read_bytes()
    cut = 512 * 5 + 40 if kind == "tar" else len(data) // 2 + 100  # plain tar: inside the third member's data
    path.write_bytes(data[:cut])
    with pytest.raises(DataError, match=rf"a\.{kind}.*(truncated|corrupt)"):
        load_dataset(folder_cfg(path))


def test_empty_folder_and_missing_root(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DataError, match="no image files"):
        load_dataset(folder_cfg(tmp_path))
    with pytest.raises(DataError, match="--data-root"):
        load_dataset(DataConfig(name="folder"))
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(folder_cfg(tmp_path / "nope"))


def test_split_folders_and_limit(tmp_path):
    files = labeled_files({"b": 10, "a": 50}, prefix="train/")
    files.update(labeled_files({"a": 90}, per_class=2, prefix="test/"))
    write_files(tmp_path, files)
    train = load_dataset(folder_cfg(tmp_path))
    test = load_dataset(folder_cfg(tmp_path, split="test"))
    both = load_dataset(folder_cfg(tmp_path, split="all"))
    assert train.classes == test.classes == ("a", "b")  # classes shared by both splits
    assert len(train) == 6 and len(test) == 2 and len(both) == 8
    assert test.labels.tolist() == [0, 0] and test.images[:, 0, 0, 0].tolist() == [90, 91]
    limited = load_dataset(folder_cfg(tmp_path, limit=2))
    assert limited.labels.tolist() == [0, 1]  # balanced prefix


def test_no_test_split_in_a_plain_folder(tmp_path):
    write_files(tmp_path, {"a.png": png_bytes(solid(1))})
    with pytest.raises(DataError, match="no test split"):
        load_dataset(folder_cfg(tmp_path, split="test"))


def test_plan_keeps_canonical_class_order_only_when_names_match():
    names = [f"train/{c}/0.jpg" for c in ("zeta", "alpha")]
    _, _, classes = plan(names, "train", "x", class_order=("zeta", "alpha"))
    assert classes == ("zeta", "alpha")
    _, _, classes = plan(names, "train", "x", class_order=("zeta", "beta"))
    assert classes == ("alpha", "zeta")


def test_decoded_cache_roundtrip(tmp_path, monkeypatch):
    monkeypatch.setattr(decode, "CACHE_MIN_IMAGES", 1)
    path = write_tar(tmp_path / "a.tar", labeled_files(CLASSES))
    first = read_images(path)
    assert list((tmp_path / "cache" / "decoded").glob("*.npz"))
    monkeypatch.setattr("zerosum.data.folder.scan", lambda p: pytest.fail("cache not used"))
    second = read_images(path, limit=4)
    assert torch.equal(second.images, first.images[:4]) and second.names == first.names[:4]


def test_bad_files_are_never_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(decode, "CACHE_MIN_IMAGES", 1)
    files = labeled_files(CLASSES)
    files["cat/junk.png"] = b"junk"
    path = write_tar(tmp_path / "a.tar", files)
    with pytest.raises(DataError, match=r"a\.tar:cat/junk\.png"):
        read_images(path)
    got = read_images(path, skip_bad=True)
    assert len(got.names) == 9 and got.skipped == 1
    assert not list((tmp_path / "cache").rglob("*.npz"))


@pytest.mark.parametrize(
    ("kind", "reading"), [("dir", None), ("zip", "reading pets.zip: 9/9 file"), ("tar.gz", "reading pets.tar.gz: ")]
)
def test_reading_and_decoding_show_progress(tmp_path, capsys, show_progress, kind, reading):
    files = labeled_files(CLASSES, prefix="pets/")
    if kind == "dir":
        path = write_files(tmp_path / "pets", files)
    elif kind == "zip":
        path = write_zip(tmp_path / "pets.zip", files)
    else:
        path = write_tar(tmp_path / "pets.tar.gz", files, "w:gz")
    assert len(load_dataset(folder_cfg(path))) == 9
    lines = capsys.readouterr().err.splitlines()
    decoding = [line.split(",")[0] for line in lines if line.startswith("decoding")]
    assert decoding == [f"decoding {path.name}: {k}/9 img" for k in range(1, 10)]
    read = [line for line in lines if line.startswith("reading")]
    assert bool(read) == (reading is not None)  # a folder is read file by file while decoding
    if reading:
        assert read[-1].startswith(reading) and re.search(r", done in \d+s$", read[-1])
