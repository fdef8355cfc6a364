import pytest
import torch

from zerosum.data import ImageSet, PointSet


def make_set() -> ImageSet:
    images = torch.tensor([0, 255, 51, 102], dtype=torch.uint8).view(4, 1, 1, 1).expand(4, 1, 2, 2).clone()
    return ImageSet(images, torch.tensor([0, 1, 0, 1]), ("a", "b"), "tiny")


def test_properties():
    s = make_set()
    assert len(s) == 4 and s.shape == (1, 2, 2) and s.channels == 1 and s.size == 2
    assert s.num_classes == 2 and s.kind == "image" and s.skipped == 0


def test_batch_maps_value_range_without_touching_storage():
    s = make_set()
    before = s.images.clone()
    x = s.batch(torch.tensor([1, 0]))
    assert x.dtype == torch.float32 and x.shape == (2, 1, 2, 2)
    assert x[0].eq(1.0).all() and x[1].eq(-1.0).all()
    y = s.batch(torch.tensor([2, 3]), value_range=(0.0, 1.0), device="cpu")
    assert torch.allclose(y[:, 0, 0, 0], torch.tensor([0.2, 0.4]))
    assert torch.equal(s.images, before)
    assert s.batch([3])[0, 0, 0, 0].item() == pytest.approx(102 / 255 * 2 - 1)


def test_pixel_mean():
    s = make_set()
    assert s.pixel_mean().shape == (1, 2, 2)
    assert torch.allclose(s.pixel_mean(), torch.full((1, 2, 2), (0 + 255 + 51 + 102) / 4 / 255))


def test_invalid_sets_fail_early():
    with pytest.raises(ValueError, match="uint8"):
        ImageSet(torch.zeros(2, 1, 2, 2), torch.zeros(2, dtype=torch.long), (), "x")
    with pytest.raises(ValueError, match="labels"):
        ImageSet(torch.zeros(2, 1, 2, 2, dtype=torch.uint8), torch.zeros(3, dtype=torch.long), (), "x")


def test_pointset_batch_ignores_range():
    p = PointSet(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([0, 1]), ("m0", "m1"), "pts", None, 0.1)
    assert p.shape == (2,) and len(p) == 2 and p.kind == "points" and p.num_classes == 2
    out = p.batch(torch.tensor([1]), value_range=(-1, 1))
    assert out.tolist() == [[3.0, 4.0]]
    out.add_(1)
    assert p.points[1].tolist() == [3.0, 4.0]  # a batch is a copy


def test_place_moves_the_set_to_a_gpu_only_when_it_fits(monkeypatch):
    from zerosum.data.dataset import place

    s = make_set()  # 16 bytes of pixels
    moved = []
    monkeypatch.setattr(s, "to", lambda device: moved.append(str(device)) or s)
    assert place(s, "cpu") is s and moved == []
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (63, 10**9))  # 25% of 63 bytes < 16 bytes
    place(s, "cuda:0")
    assert moved == []
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (64, 10**9))
    place(s, "cuda:0")
    assert moved == ["cuda:0"]


def test_a_placed_set_gathers_where_it_lives():
    s = make_set().to("cpu")
    assert torch.equal(s.batch([1, 0]), make_set().batch(torch.tensor([1, 0])))
