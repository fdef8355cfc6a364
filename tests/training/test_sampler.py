import torch

from zerosum.training.sampler import IndexSampler


def test_each_epoch_is_a_permutation_and_tail_is_dropped():
    s = IndexSampler(10, seed=0)
    first = torch.cat([s.next(3) for _ in range(3)])
    assert len(set(first.tolist())) == 9  # 9 distinct of 10, the tail of 1 is dropped
    s.next(3)
    assert s.epoch == 2


def test_state_round_trip_continues_the_same_sequence():
    a = IndexSampler(50, seed=3)
    for _ in range(7):
        a.next(8)
    b = IndexSampler(50, seed=99)
    b.load_state_dict(a.state_dict())
    assert all(torch.equal(a.next(8), b.next(8)) for _ in range(20))


def test_batch_larger_than_dataset_is_a_clear_error():
    import pytest

    from zerosum.errors import ConfigError

    with pytest.raises(ConfigError, match="batch_size"):
        IndexSampler(4, seed=0).next(5)
