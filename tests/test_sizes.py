from zerosum.sizes import image_size, shape_text


def test_sizes_are_width_by_height():
    assert image_size((1, 48, 64)) == "64×48"  # C×H×W, as tensors are stored
    assert image_size((5, 3, 48, 64)) == image_size((48, 64)) == "64×48"


def test_sample_shapes_in_words():
    assert shape_text((1, 28, 28)) == "28×28 gray"
    assert shape_text([3, 48, 64]) == "64×48 RGB"
    assert shape_text((2, 8, 16)) == "16×8 2-channel"
    assert shape_text((2,)) == "2-d points"
