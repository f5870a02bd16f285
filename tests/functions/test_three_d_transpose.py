"""conv_transpose3d, adaptive_max_pool3d, max_unpool3d and their layers: finite differences on
hypothesis-drawn geometries (an empty batch included) and forward and backward against PyTorch."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def conv_transpose3d_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(3))
    # padding small enough that every output size stays positive
    padding = tuple(min(draw(st.integers(0, 1)), ((n - 1) * s + d * (k - 1) + op) // 2)
                    for n, s, d, k, op in zip(spatial, stride, dilation, kernel, output_padding))
    return dict(x_shape=(draw(st.integers(0, 2)), c_in) + spatial, w_shape=(c_in, c_out // groups) + kernel,
                bias=draw(st.booleans()), stride=stride, padding=padding, output_padding=output_padding,
                groups=groups, dilation=dilation)


def _inputs(cfg):
    c_out = cfg["w_shape"][1] * cfg["groups"]
    return random_inputs([cfg["x_shape"], cfg["w_shape"]] + ([(c_out,)] if cfg["bias"] else []))


@given(cfg=conv_transpose3d_configs())
def test_conv_transpose3d_gradcheck_and_torch(cfg):
    kwargs = {k: cfg[k] for k in ("stride", "padding", "output_padding", "groups", "dilation")}
    inputs = check_op(lambda x, w, b=None: F.conv_transpose3d(x, w, b, **kwargs), _inputs(cfg), gradgrad=False)
    torch = pytest.importorskip("torch")
    assert compare_with_torch(lambda x, w, b=None: F.conv_transpose3d(x, w, b, **kwargs),
                              lambda x, w, b=None: torch.nn.functional.conv_transpose3d(x, w, b, **kwargs),
                              inputs, rtol=1e-10, atol=1e-12)


def test_conv_transpose3d_second_derivatives_and_unbatched():
    check_op(lambda x, w, b: F.conv_transpose3d(x, w, b, stride=(2, 1, 2), padding=(1, 0, 0), groups=2),
             [(1, 2, 2, 3, 2), (2, 1, 2, 2, 3), (2,)], gradgrad=True)
    x, w = random_inputs([(2, 3, 2, 3), (2, 4, 3, 2, 2)])
    assert F.conv_transpose3d(x, w, stride=2).shape == (4, 7, 4, 6)  # (2 − 1)·2 + 3 … unbatched (C, D, H, W)


def test_conv_transpose3d_layer_matches_torch():
    torch = pytest.importorskip("torch")
    ours = nn.ConvTranspose3d(4, 6, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), groups=2, dilation=(1, 2, 1))
    ours.double()
    theirs = torch.nn.ConvTranspose3d(4, 6, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), groups=2,
                                      dilation=(1, 2, 1)).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    (x,) = random_inputs([(2, 4, 3, 2, 4)])
    assert compare_with_torch(lambda t: ours(t, output_size=(6, 4, 8)), lambda t: theirs(t, output_size=(6, 4, 8)),
                              [x], rtol=1e-10, atol=1e-12)
    assert repr(ours) == repr(theirs)
    with pytest.raises(ValueError, match="ConvTranspose3d: requested an output size of"):
        ours(x, output_size=(9, 4, 8))


def test_conv_transpose3d_errors():
    x, w = minidl.zeros(1, 2, 3, 3, 3), minidl.zeros(2, 1, 2, 2, 2)
    with pytest.raises(RuntimeError, match="conv_transpose3d: expected input with 2 channels"):
        F.conv_transpose3d(minidl.zeros(1, 3, 3, 3, 3), w)
    with pytest.raises(RuntimeError, match=r"conv_transpose3d: expected a 5-D weight \(N, C, D, H, W\)"):
        F.conv_transpose3d(x, minidl.zeros(2, 1, 2, 2))
    with pytest.raises(TypeError, match="conv_transpose3d: stride must be an int or a triple of ints"):
        F.conv_transpose3d(x, w, stride=(1, 2))
    with pytest.raises(ValueError, match="conv_transpose3d: output_padding .* must be smaller than stride"):
        F.conv_transpose3d(x, w, output_padding=1)


def _distinct(shape, seed=0):
    """Well separated values, so finite differences never swap a maximum."""
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1
    return minidl.tensor(values, requires_grad=True)


@given(shape=st.tuples(st.integers(0, 2), st.integers(1, 2), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)),
       output_size=st.tuples(st.integers(1, 4), st.integers(1, 4), st.sampled_from([1, 2, 3, None])))
def test_adaptive_max_pool3d_gradcheck_torch_and_indices(shape, output_size):
    torch = pytest.importorskip("torch")
    x = _distinct(shape)
    check_op(lambda t: F.adaptive_max_pool3d(t, output_size), [x], gradgrad=False)
    assert compare_with_torch(lambda t: F.adaptive_max_pool3d(t, output_size),
                              lambda t: torch.nn.functional.adaptive_max_pool3d(t, output_size), [x])
    _, ours = F.adaptive_max_pool3d(x, output_size, return_indices=True)
    _, theirs = torch.nn.functional.adaptive_max_pool3d(torch.from_numpy(x.array), output_size, return_indices=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert nn.AdaptiveMaxPool3d(output_size)(x[0] if shape[0] else x[:, :, :, :, :]).ndim in (4, 5)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), ((2, 3, 2), (2, 3, 3), (1, 1, 0))])
def test_max_unpool3d_matches_torch(kernel, stride, padding):
    """Windows that do not overlap (with overlaps two outputs may name one input, and the last write wins)."""
    torch = pytest.importorskip("torch")
    x = _distinct((2, 3, 4, 6, 5))
    pooled, indices = F.max_pool3d(x, kernel, stride, padding, return_indices=True)
    pooled = pooled.detach().requires_grad_()
    tindices = torch.from_numpy(indices.numpy())
    assert compare_with_torch(lambda t: F.max_unpool3d(t, indices, kernel, stride, padding, output_size=x.shape),
                              lambda t: torch.nn.functional.max_unpool3d(t, tindices, kernel, stride, padding,
                                                                         output_size=x.shape),
                              [pooled])
    check_op(lambda t: nn.MaxUnpool3d(kernel, stride, padding)(t, indices, x.shape), [pooled], gradgrad=True)
    with pytest.raises(IndexError, match="max_unpool3d: an index is outside"):
        F.max_unpool3d(pooled, indices, kernel, stride, padding, output_size=(1, 1, 1))
