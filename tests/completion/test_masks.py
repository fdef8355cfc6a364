"""Masks: shape, known fraction of each kind, and Yeh et al.'s contextual weights."""

from __future__ import annotations

import pytest
import torch

from zerosum.completion.masks import MASKS, contextual_weights, known_fraction, make_mask
from zerosum.errors import ConfigError


@pytest.mark.parametrize(
    ("name", "fraction"),
    [("center", 0.75), ("left", 0.5), ("grid", 0.5), ("lowres", 1 / 16), ("random", 0.2)],
)
def test_mask_shape_and_known_fraction(name: str, fraction: float) -> None:
    known = make_mask(name, 32, n=6, seed=1)
    assert known.shape == (6, 1, 32, 32) and known.dtype == torch.bool
    tol = 0.03 if name == "random" else 1e-9
    assert known_fraction(known).mean().item() == pytest.approx(fraction, abs=tol)


def test_center_hole_is_the_middle_square() -> None:
    known = make_mask("center", 28)[0, 0]
    assert not known[7:21, 7:21].any()
    assert known.sum() == 28 * 28 - 14 * 14


def test_left_and_lowres_patterns() -> None:
    left = make_mask("left", 8)[0, 0]
    assert not left[:, :4].any() and left[:, 4:].all()
    low = make_mask("lowres", 8)[0, 0]
    assert low.nonzero().tolist() == [[0, 0], [0, 4], [4, 0], [4, 4]]


def test_random_masks_differ_per_image_and_follow_the_seed() -> None:
    a = make_mask("random", 16, n=2, seed=3)
    assert not torch.equal(a[0], a[1])
    assert torch.equal(a, make_mask("random", 16, n=2, seed=3))
    assert not torch.equal(a, make_mask("random", 16, n=2, seed=4))


def test_unknown_mask_name_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match="choose one of") as err:
        make_mask("circle", 16)
    assert "\n" not in str(err.value) and all(m in str(err.value) for m in MASKS)


def test_contextual_weights_zero_in_hole_and_largest_next_to_it() -> None:
    known = make_mask("center", 28)
    w = contextual_weights(known, window=7)[0, 0]
    assert (w[~known[0, 0]] == 0).all()
    row = w[14]  # through the hole: columns 0..6 known, 7..20 hole
    assert row[6] > row[5] > row[4] > 0  # closer to the hole weighs more
    assert row[3] == 0  # 4 pixels away the 7×7 window no longer reaches the hole
    assert row[0] == 0 and w[0, 0] == 0  # beyond the window nothing is missing nearby
    # Right next to the hole a 7×7 window (clipped nowhere) holds 3 missing columns of its 7 → 21/49 over 7 rows.
    assert row[6].item() == pytest.approx(3 * 7 / 49)


def test_contextual_weights_floor_counts_far_context() -> None:
    known = make_mask("center", 28)
    w = contextual_weights(known, window=7, floor=0.1)[0, 0]
    assert w[0, 0].item() == pytest.approx(0.1) and (w[~known[0, 0]] == 0).all()
    with pytest.raises(ConfigError):
        contextual_weights(known, window=4)
