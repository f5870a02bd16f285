"""conv3d, max_pool3d, avg_pool3d, adaptive_avg_pool3d and the 3-D layers: finite differences on
hypothesis-drawn geometries (stride, padding, dilation, groups, an empty batch), and forward and
backward against PyTorch for every option.  They run the 2-D code (im2col, pooling) with one more
spatial axis, so these tests also hold that code to its N-dimensional reading."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
import minidl.nn.functional as F
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def conv3d_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(3))
    spatial = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 4)) for k, d, p in zip(kernel, dilation, padding))
    return dict(x_shape=(draw(st.integers(0, 2)), c_in) + spatial, w_shape=(c_out, c_in // groups) + kernel,
                bias=draw(st.booleans()), stride=stride, padding=padding, dilation=dilation, groups=groups)


def _conv3d_inputs(cfg):
    return random_inputs([cfg["x_shape"], cfg["w_shape"]] + ([(cfg["w_shape"][0],)] if cfg["bias"] else []))


def _kwargs(cfg, *names):
    return {k: cfg[k] for k in names}


@given(cfg=conv3d_configs())
def test_conv3d_gradcheck(cfg):
    kwargs = _kwargs(cfg, "stride", "padding", "dilation", "groups")
    check_op(lambda x, w, b=None: F.conv3d(x, w, b, **kwargs), _conv3d_inputs(cfg), gradgrad=False)


@given(cfg=conv3d_configs())
def test_conv3d_matches_torch(cfg):
    torch = pytest.importorskip("torch")
    kwargs = _kwargs(cfg, "stride", "padding", "dilation", "groups")
    assert compare_with_torch(lambda x, w, b=None: F.conv3d(x, w, b, **kwargs),
                              lambda x, w, b=None: torch.nn.functional.conv3d(x, w, b, **kwargs),
                              _conv3d_inputs(cfg), rtol=1e-10, atol=1e-12)


def test_conv3d_second_derivatives():
    """The three products differentiate each other, in 3-D as in 2-D (create_graph=True)."""
    check_op(lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=1, dilation=(2, 1, 1), groups=2),
             [(1, 2, 3, 4, 3), (2, 1, 2, 2, 2), (2,)], gradgrad=True)


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv3d_string_padding_and_unbatched(padding):
    torch = pytest.importorskip("torch")
    x, w, b = random_inputs([(2, 3, 5, 5, 6), (4, 3, 2, 3, 2), (4,)])
    assert compare_with_torch(lambda x, w, b: F.conv3d(x, w, b, padding=padding, dilation=(1, 2, 1)),
                              lambda x, w, b: torch.nn.functional.conv3d(x, w, b, padding=padding, dilation=(1, 2, 1)),
                              [x, w, b], rtol=1e-10, atol=1e-12)
    assert F.conv3d(x[0], w, b, padding=padding).shape == tuple(torch.nn.functional.conv3d(
        torch.tensor(x.array[0]), torch.tensor(w.array), padding=padding).shape)


def test_conv3d_errors_name_the_argument():
    x, w = minidl.zeros(1, 2, 4, 4, 4), minidl.zeros(3, 2, 2, 2, 2)
    with pytest.raises(RuntimeError, match="conv3d: expected input with 2 channels"):
        F.conv3d(minidl.zeros(1, 3, 4, 4, 4), w)
    with pytest.raises(RuntimeError, match=r"conv3d: expected a 5-D weight \(N, C, D, H, W\)"):
        F.conv3d(x, minidl.zeros(3, 2, 2, 2))
    with pytest.raises(TypeError, match="conv3d: stride must be an int or a triple of ints"):
        F.conv3d(x, w, stride=(1, 2))
    with pytest.raises(ValueError, match="conv3d: padding='same' needs stride 1"):
        F.conv3d(x, w, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="conv3d: input of spatial size .* is too small"):
        F.conv3d(minidl.zeros(1, 2, 1, 4, 4), w)


@st.composite
def pool3d_configs(draw, with_dilation=True):
    kernel = tuple(draw(st.integers(1, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(3))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3)) if with_dilation else (1, 1, 1)
    spatial = tuple(draw(st.integers(d * (k - 1) + 1, 4)) for k, d in zip(kernel, dilation))
    cfg = dict(shape=(draw(st.integers(0, 2)), draw(st.integers(1, 2))) + spatial, kernel_size=kernel, stride=stride,
               padding=padding, ceil_mode=draw(st.booleans()))
    if with_dilation:
        cfg["dilation"] = dilation
    return cfg


def _distinct(shape, seed=0):
    """Well separated values, so finite differences never swap a maximum."""
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1
    return minidl.tensor(values, requires_grad=True)


@given(cfg=pool3d_configs())
def test_max_pool3d_gradcheck_torch_and_indices(cfg):
    torch = pytest.importorskip("torch")
    kwargs = {k: v for k, v in cfg.items() if k != "shape"}
    x = _distinct(cfg["shape"])
    check_op(lambda t: F.max_pool3d(t, **kwargs), [x], gradgrad=False)
    assert compare_with_torch(lambda t: F.max_pool3d(t, **kwargs), lambda t: torch.nn.functional.max_pool3d(t, **kwargs), [x])
    _, ours = F.max_pool3d(x, return_indices=True, **kwargs)
    _, theirs = torch.nn.functional.max_pool3d(torch.from_numpy(x.array), return_indices=True, **kwargs)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with minidl.no_grad():  # the inference path (no argmax) gives the same maxima
        np.testing.assert_array_equal(F.max_pool3d(x, **kwargs).numpy(), F.max_pool3d(x.detach(), **kwargs).numpy())


@given(cfg=pool3d_configs(with_dilation=False), count_include_pad=st.booleans(), divisor_override=st.sampled_from([None, 3]))
def test_avg_pool3d_gradcheck_and_torch(cfg, count_include_pad, divisor_override):
    torch = pytest.importorskip("torch")
    kwargs = {k: v for k, v in cfg.items() if k != "shape"}
    kwargs.update(count_include_pad=count_include_pad, divisor_override=divisor_override)
    inputs = check_op(lambda t: F.avg_pool3d(t, **kwargs), [cfg["shape"]], gradgrad=False)
    assert compare_with_torch(lambda t: F.avg_pool3d(t, **kwargs), lambda t: torch.nn.functional.avg_pool3d(t, **kwargs),
                              inputs, rtol=1e-12, atol=1e-14)


def test_max_pool3d_ties_and_padding():
    """Ties go to the first maximum in (depth, row, column) order; padding counts as −∞."""
    x = minidl.tensor(np.full((1, 1, 2, 2, 2), 5.0), requires_grad=True)
    y, index = F.max_pool3d(x, 2, return_indices=True)
    y.sum().backward()
    assert index.tolist() == [[[[[0]]]]] and x.grad.array.reshape(-1).tolist() == [1.0] + [0.0] * 7
    assert F.max_pool3d(minidl.full((1, 1, 2, 2, 2), -5.0), 3, stride=1, padding=1).array.max() == -5.0


@pytest.mark.parametrize("output_size", [1, (2, 3, 2), (3, None, 4), 4])
def test_adaptive_avg_pool3d(output_size):
    torch = pytest.importorskip("torch")
    check_op(lambda t: F.adaptive_avg_pool3d(t, output_size), [(1, 2, 5, 3, 6)], gradgrad=False,
             torch_fn=lambda t: torch.nn.functional.adaptive_avg_pool3d(t, output_size))


def test_pool3d_errors():
    with pytest.raises(RuntimeError, match=r"max_pool3d: expected a 4-D or 5-D input \(N, C, D, H, W\)"):
        F.max_pool3d(minidl.zeros(2, 4, 4), 2)
    with pytest.raises(TypeError, match="avg_pool3d: kernel_size must be an int or a triple of ints"):
        F.avg_pool3d(minidl.zeros(1, 2, 4, 4, 4), (2, 2))
    with pytest.raises(ValueError, match="max_pool3d: padding .* must be between 0 and half the kernel size"):
        F.max_pool3d(minidl.zeros(1, 2, 4, 4, 4), 2, padding=2)


def test_empty_batch():
    """N = 0 gives empty outputs of the right shape and zero weight gradients, as in PyTorch."""
    torch = pytest.importorskip("torch")
    x, w, b = random_inputs([(0, 2, 3, 4, 5), (4, 1, 2, 2, 2), (4,)])
    assert compare_with_torch(lambda x, w, b: F.conv3d(x, w, b, stride=2, padding=1, groups=2),
                              lambda x, w, b: torch.nn.functional.conv3d(x, w, b, stride=2, padding=1, groups=2),
                              [x, w, b])
    assert F.max_pool3d(x, 2, return_indices=True)[1].shape == (0, 2, 1, 2, 2)
    assert F.avg_pool3d(x, 2, padding=1).shape == (0, 2, 2, 3, 3)
