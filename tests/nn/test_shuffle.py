"""Channel shuffle (F.channel_shuffle, nn.ChannelShuffle): float64 finite differences, the
permutation itself, PyTorch parity (forward and gradient) and the errors."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import minidl
import minidl.nn.functional as F
from minidl import nn
from minidl.testing import check_op


@settings(max_examples=10, deadline=None)
@given(groups=st.sampled_from([1, 2, 3]), per_group=st.integers(1, 3), spatial=st.sampled_from([(2,), (2, 3)]))
def test_channel_shuffle_gradcheck_and_torch(groups, per_group, spatial):
    torch = pytest.importorskip("torch")
    shape = (2, groups * per_group, *spatial)
    check_op(lambda x: F.channel_shuffle(x, groups), [shape],
             torch_fn=lambda x: torch.nn.functional.channel_shuffle(x, groups))


def test_channel_shuffle_interleaves_the_groups():
    # channels 0..5 in 3 groups of 2: (0 1)(2 3)(4 5) → 0 2 4 1 3 5
    x = minidl.arange(6.0).reshape(1, 6, 1, 1)
    assert nn.ChannelShuffle(3)(x).numpy().ravel().tolist() == [0, 2, 4, 1, 3, 5]
    # shuffling by g then by C/g restores the order
    y = minidl.randn(2, 12, 3, 3)
    np.testing.assert_array_equal(F.channel_shuffle(F.channel_shuffle(y, 3), 4).numpy(), y.numpy())


def test_channel_shuffle_module_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 8, 3, 3)).astype(np.float32)
    expected = torch.nn.ChannelShuffle(4)(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(nn.ChannelShuffle(4)(minidl.tensor(x)).numpy(), expected)
    assert repr(nn.ChannelShuffle(4)) == "ChannelShuffle(groups=4)"


def test_channel_shuffle_errors():
    with pytest.raises(ValueError, match=r"channels \(6\) must be divisible by groups \(4\)"):
        F.channel_shuffle(minidl.zeros(1, 6, 2, 2), 4)
    with pytest.raises(ValueError, match="groups must be a positive int, got 0"):
        nn.ChannelShuffle(0)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        F.channel_shuffle(minidl.zeros(2, 6), 2)
