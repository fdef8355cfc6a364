import os
import pickle

import pytest
import torch

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
