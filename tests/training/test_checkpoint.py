import errno
import os
import pickle

import pytest
import torch

from zerosum import atomic
from zerosum.errors import CheckpointError
from zerosum.training import checkpoint


def test_save_points_latest_and_prunes(tmp_path):
    for step in (1, 2, 3, 4):
        checkpoint.save(tmp_path, step, {"w": torch.full((2,), float(step))}, keep=2)
    assert [p.name for p in checkpoint.step_files(tmp_path)] == ["step_00000003.pt", "step_00000004.pt"]
    latest = checkpoint.latest(tmp_path)
    assert latest.name == "step_00000004.pt"
    assert checkpoint.load(latest)["w"][0] == 4
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_keep_every_spares_the_multiples_from_pruning(tmp_path):
    for step in range(1, 9):
        checkpoint.save(tmp_path, step, {"w": torch.zeros(1)}, keep=2, keep_every=3)
    assert [checkpoint.file_step(p) for p in checkpoint.step_files(tmp_path)] == [3, 6, 7, 8]


def test_failed_write_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    checkpoint.save(tmp_path, 1, {"w": torch.ones(3)})

    def broken_save(obj, f):
        f.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(CheckpointError, match="previous checkpoint is intact"):
        checkpoint.save(tmp_path, 2, {"w": torch.zeros(3)})
    monkeypatch.undo()
    assert checkpoint.latest(tmp_path).name == "step_00000001.pt"
    assert torch.equal(checkpoint.load(checkpoint.latest(tmp_path))["w"], torch.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "step_00000001.pt"]


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_pickle_payload_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"format": 1, "x": _Payload()}, f)
    with pytest.raises(CheckpointError, match="cannot load"):
        checkpoint.load(path)


def test_truncated_file_is_a_clear_error(tmp_path):
    path = checkpoint.save(tmp_path, 5, {"w": torch.randn(1000)})
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="cannot load"):
        checkpoint.load(path)


def test_missing_pointer_falls_back_to_newest_step_file(tmp_path):
    checkpoint.save(tmp_path, 7, {"w": torch.ones(1)})
    (tmp_path / checkpoint.LATEST).unlink()
    assert checkpoint.latest(tmp_path).name == "step_00000007.pt"


class FullDisk:
    """`os` as zerosum.atomic sees it, on a disk with `free` bytes left once `files_ok` files have been opened:
    a write past the limit stores what fits, then fails with ENOSPC, the way a real full disk does."""

    def __init__(self, free: int, files_ok: int = 0, fail_fsync: bool = False) -> None:
        self.free, self.files_ok, self.fail_fsync = free, files_ok, fail_fsync

    def __getattr__(self, name):
        return getattr(os, name)

    def fdopen(self, fd, mode):
        self.files_ok -= 1
        return _CappedFile(os.fdopen(fd, mode), self) if self.files_ok < 0 else os.fdopen(fd, mode)

    def fsync(self, fd):
        if self.fail_fsync:  # delayed allocation (NFS, some filesystems) reports ENOSPC only here
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)


class _CappedFile:
    def __init__(self, f, disk: FullDisk) -> None:
        self._f, self._disk = f, disk

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        if len(view) > self._disk.free:
            self._f.write(view[: self._disk.free])
            self._f.flush()
            self._disk.free = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._disk.free -= len(view)
        return self._f.write(view)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __getattr__(self, name):
        return getattr(self._f, name)


def _only_step_1_remains(folder) -> None:
    """The previous checkpoint is what `latest` names, it loads, and nothing half-written is left beside it."""
    assert checkpoint.latest(folder).name == "step_00000001.pt"
    assert torch.equal(checkpoint.load(checkpoint.latest(folder))["w"], torch.ones(3))
    assert sorted(p.name for p in folder.iterdir()) == ["latest.json", "step_00000001.pt"]


@pytest.mark.parametrize(
    "disk",
    [
        pytest.param(FullDisk(0), id="nothing-fits"),
        pytest.param(FullDisk(5_000), id="torch-save-part-way"),  # torch.save reports this as a RuntimeError
        pytest.param(FullDisk(30_000), id="inside-the-tensor-data"),
        pytest.param(FullDisk(10**9, fail_fsync=True), id="at-fsync"),
        pytest.param(FullDisk(0, files_ok=1), id="latest-pointer"),  # the step file is written, its pointer is not
    ],
)
def test_disk_full_part_way_leaves_the_previous_checkpoint(tmp_path, monkeypatch, disk):
    folder = tmp_path / "run" / "checkpoints"
    checkpoint.save(folder, 1, {"w": torch.ones(3)})
    monkeypatch.setattr(atomic, "os", disk)
    with pytest.raises(CheckpointError) as info:
        checkpoint.save(folder, 2, {"w": torch.randn(20_000)})
    monkeypatch.undo()
    message = str(info.value)
    assert "\n" not in message and "No space left on device" in message
    assert f"free space on {folder} then `zerosum train --resume {folder.parent}`" in message
    _only_step_1_remains(folder)
    checkpoint.save(folder, 2, {"w": torch.zeros(3)})  # space freed: the next save works as usual
    assert checkpoint.latest(folder).name == "step_00000002.pt"


def test_other_write_errors_name_their_fix(tmp_path, monkeypatch):
    def denied(obj, f):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    checkpoint.save(tmp_path, 1, {"w": torch.ones(3)})
    monkeypatch.setattr(torch, "save", denied)
    with pytest.raises(CheckpointError, match=f"make {tmp_path} writable then `zerosum train --resume"):
        checkpoint.save(tmp_path, 2, {"w": torch.ones(3)})


def test_temp_files_of_a_killed_save_are_swept(tmp_path):
    stale = [tmp_path / ".step_00000002.pt.x1y2.tmp", tmp_path / ".latest.json.abc.tmp"]
    for p in stale:
        p.write_bytes(b"half a checkpoint")
    (tmp_path / "notes.tmp").write_text("not ours")
    checkpoint.save(tmp_path, 3, {"w": torch.ones(1)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "notes.tmp", "step_00000003.pt"]


def test_forget_after_deletes_only_newer_step_files(tmp_path):
    for step in (2, 4, 6):
        checkpoint.save(tmp_path, step, {"w": torch.ones(1)})
    checkpoint.forget_after(tmp_path, 4)
    assert [p.name for p in checkpoint.step_files(tmp_path)] == ["step_00000002.pt", "step_00000004.pt"]
