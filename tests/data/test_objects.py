import math

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.data import dataset_names, describe_sources, load_dataset, objects
from zerosum.errors import ConfigError, DataError


@pytest.fixture(scope="module")
def rooms() -> objects.Rooms:
    return objects.generate(600, seed=3)


def iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    w = (torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])).clamp(min=0)
    h = (torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])).clamp(min=0)
    area = (a[:, 2:] - a[:, :2]).prod(1) + (b[:, 2:] - b[:, :2]).prod(1)
    return w * h / (area - w * h)


def test_generation_is_deterministic_and_seeded(rooms):
    again = objects.generate(600, seed=3)
    assert torch.equal(rooms.images, again.images)
    assert torch.equal(rooms.boxes.nan_to_num(-1), again.boxes.nan_to_num(-1))
    assert not torch.equal(rooms.images, objects.generate(600, seed=4).images)


def test_shapes_labels_and_boxes_agree(rooms):
    assert rooms.images.shape == (600, 3, 32, 32) and rooms.images.dtype == torch.uint8
    has = rooms.boxes[:, 0].isfinite()
    assert torch.equal(rooms.labels, has.long())
    assert 0.6 < rooms.labels.float().mean() < 0.8  # p = 0.7
    box = rooms.boxes[has]
    assert (box[:, :2] >= 0).all() and (box[:, 2:] <= 32).all()
    side = box[:, 2:] - box[:, :2]
    assert side.min() == 6 and side.max() == 12 and (side[:, 0] == side[:, 1]).all()
    assert objects.generate(50, seed=0, p=0.0).labels.sum() == 0
    assert objects.generate(50, seed=0, p=1.0).labels.sum() == 50


def test_detector_finds_exactly_the_true_boxes(rooms):
    mask = objects.find_object(rooms.images)
    assert not mask[rooms.labels == 0].any()  # no background pixel looks like the object
    found = objects.object_boxes(mask)
    has = rooms.labels == 1
    assert torch.equal(found[:, 0].isfinite(), has)
    assert torch.equal(found[has], rooms.boxes[has])


def test_detector_on_float_and_resized_images(rooms):
    x = rooms.images[:200].float() / 127.5 - 1  # a generator's range
    assert torch.equal(objects.find_object(x, (-1.0, 1.0)), objects.find_object(rooms.images[:200]))
    cfg = DataConfig(name="objects", split="test", size=64, limit=200)
    big = load_dataset(cfg)
    truth = objects.true_boxes(cfg)
    found = objects.object_boxes(objects.find_object(big.images))
    has = big.labels == 1
    assert torch.equal(found[:, 0].isfinite(), has)
    assert iou(found[has], truth[has]).min() > 0.8


def test_object_boxes_keeps_the_largest_blob_only():
    mask = torch.zeros(3, 16, 16, dtype=torch.bool)
    mask[0, 2:6, 3:8] = True
    mask[0, 14, 14] = True  # a stray pixel far away
    mask[1, 5, 5] = mask[1, 5, 6] = True  # too small to count
    boxes = objects.object_boxes(mask)
    assert boxes[0].tolist() == [3.0, 2.0, 8.0, 6.0]
    assert boxes[1:].isnan().all()


def test_presence_measures_mass_and_share(rooms):
    x = rooms.images[:100]
    p = objects.presence(x)
    area = (rooms.boxes[:100, 2:] - rooms.boxes[:100, :2]).prod(1).nan_to_num(0)
    assert p["share"] == pytest.approx(float(rooms.labels[:100].float().mean()))
    assert 0.5 * float(area.sum()) / (100 * 1024) < p["mass"] <= float(area.sum()) / (100 * 1024)


def test_load_dataset_splits_sizes_and_limit():
    assert "objects" in dataset_names()
    assert {r["name"]: r for r in describe_sources()}["objects"]["source"] == "generated"
    params = {"n": 40, "seed": 5}
    train = load_dataset(DataConfig(name="objects", params=params))
    test = load_dataset(DataConfig(name="objects", split="test", params=params))
    both = load_dataset(DataConfig(name="objects", split="all", params=params, limit=60))
    assert len(train) == len(test) == 40 and train.classes == ("empty", "object")
    assert torch.equal(both.images, torch.cat([train.images, test.images[:20]]))
    assert not torch.equal(train.images, test.images)
    assert torch.equal(train.images, objects.generate(40, seed=5).images)
    small = load_dataset(DataConfig(name="objects", size=16, channels=1, limit=7))
    assert small.shape == (1, 16, 16) and len(small) == 7
    assert len(load_dataset(DataConfig(name="objects", split="test"))) == objects.DEFAULT_N["test"]
    assert objects.true_boxes(DataConfig(name="objects", size=16, limit=7)).shape == (7, 4)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [({"colour": 1}, "unknown data.params"), ({"p": 1.5}, "data.params.p"), ({"n": 0}, "data.params.n")],
)
def test_bad_params_are_one_line_errors(params, fragment):
    with pytest.raises(DataError, match=fragment):
        load_dataset(DataConfig(name="objects", params=params))


def test_detector_refuses_gray_images():
    with pytest.raises(ConfigError, match="needs RGB"):
        objects.find_object(torch.zeros(2, 1, 8, 8, dtype=torch.uint8))


def test_mask_boxes_are_exclusive_at_the_far_edge():
    mask = torch.zeros(1, 8, 8, dtype=torch.bool)
    mask[0, 7, 7] = True
    assert objects.mask_boxes(mask)[0].tolist() == [7.0, 7.0, 8.0, 8.0]
    assert all(math.isnan(v) for v in objects.mask_boxes(torch.zeros(1, 4, 4, dtype=torch.bool))[0].tolist())


def test_erased_tells_a_removed_object_from_one_left_in_place(rooms):
    x = rooms.images[:100]
    assert objects.erased(x, x) == 0.0  # the red object is still there
    # p only decides which rooms get an object, so p = 0 draws the same rooms without: the true background
    background = objects.generate(600, seed=3, p=0.0).images[:100]
    assert objects.erased(x, background) > 0.85  # not 1: objects across the horizon have two backgrounds
    dark = x.clone()
    dark.permute(0, 2, 3, 1)[objects.find_object(x)] = 0  # object pixels turned black
    assert objects.erased(x, dark) < 0.1
    empty = x[rooms.labels[:100] == 0]
    assert objects.erased(empty, empty) is None
