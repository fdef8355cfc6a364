import pytest
import torch

from zerosum.config import DataConfig
from zerosum.data import dataset_names, load_dataset, shapes
from zerosum.errors import DataError


def test_generation_is_deterministic_and_seeded():
    x, m = shapes.generate(300, seed=5)
    x2, m2 = shapes.generate(300, seed=5)
    assert torch.equal(x, x2) and torch.equal(m, m2)
    assert not torch.equal(x, shapes.generate(300, seed=6)[0])
    assert x.shape == (300, 3, 32, 32) and x.dtype == torch.uint8
    assert m.shape == (300, 32, 32) and m.dtype == torch.uint8


def test_every_class_appears_and_every_image_holds_a_shape():
    _, m = shapes.generate(400, seed=0)
    share = torch.bincount(m.flatten().long(), minlength=4).float() / m.numel()
    assert share[0] > 0.5 and (share[1:] > 0.03).all()
    assert (m.flatten(1) > 0).any(1).all()


def test_shapes_differ_from_their_background_and_the_class_is_not_the_colour():
    x, m = shapes.generate(400, seed=1)
    grey = x.float().mean(1)
    inside, outside = [], []
    for i in range(len(x)):
        fg, bg = grey[i][m[i] > 0], grey[i][m[i] == 0]
        inside.append(fg.mean())
        outside.append(bg.mean())
    gap = (torch.stack(inside) - torch.stack(outside)).abs()
    assert gap.median() > 40
    # mean colour of each class's pixels is alike: the outline carries the class
    means = torch.stack([x.float().permute(1, 0, 2, 3)[:, m == k].mean(1) for k in (1, 2, 3)])
    assert (means.max(0).values - means.min(0).values).max() < 25


def test_load_splits_size_limit_and_registry():
    assert "shapes" in dataset_names()
    cfg = DataConfig(name="shapes", params={"n": 50}, size=48)
    train = load_dataset(cfg)
    test = load_dataset(cfg.model_copy(update={"split": "test"}))
    assert train.shape == (3, 48, 48) and train.masks.shape == (50, 48, 48)
    assert train.mask_classes == shapes.MASK_CLASSES
    assert not torch.equal(train.images, test.images)
    assert len(load_dataset(cfg.model_copy(update={"split": "all", "limit": 70}))) == 70


@pytest.mark.parametrize(
    "update, words",
    [
        ({"params": {"n": 0}}, "data.params.n"),
        ({"params": {"colour": 1}}, "unknown data.params"),
        ({"size": 8}, "from 16 to 256"),
        ({"channels": 1}, "RGB set"),
    ],
)
def test_bad_parameters_are_one_line_errors(update, words):
    with pytest.raises(DataError, match=words):
        load_dataset(DataConfig(name="shapes", **update))
