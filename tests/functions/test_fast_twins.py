"""Every fast twin (minidl/functions/fast/) equals its reference (minidl/functions/), on
hypothesis-drawn geometries in float32 and float64 — called directly, whatever the switch says.
Also: the switch itself, and the rules that choose each trick."""
import os
import subprocess
import sys

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import minidl
from minidl.functions import conv, normalization, pooling
from minidl.functions.dispatch import registered_twins
from minidl.functions.fast import conv as fast_conv
from minidl.functions.fast import normalization as fast_norm
from minidl.functions.fast import pooling as fast_pool
from minidl.functions.geometry import ConvGeometry
from minidl.functions.im2col import im2col_budget_of

TOLERANCE = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}
DTYPES = st.sampled_from([np.float32, np.float64])


def test_window_view_reads_every_window_without_copying():
    x = np.arange(2 * 3 * 5 * 4, dtype=np.float64).reshape(2, 3, 5, 4)
    padded = fast_conv.channels_last_padded(x, ((1, 0), (0, 2)))  # (N, H_p, W_p, C)
    assert padded.shape == (2, 6, 6, 3)
    windows = fast_conv.window_view(padded, (2, 3), (2, 1), (1, 2), (3, 2))
    assert np.shares_memory(windows, padded) and windows.shape == (2, 3, 2, 2, 3, 3)
    for n, oh, ow, i, j, ch in np.ndindex(*windows.shape):
        assert windows[n, oh, ow, i, j, ch] == padded[n, oh * 2 + i, ow + 2 * j, ch]
    rows = fast_conv.im2col_rows(padded, (2, 3), (2, 1), (1, 2), (3, 2))
    np.testing.assert_array_equal(rows, windows.reshape(12, 18))
    with pytest.raises(ValueError, match="do not fit"):
        fast_conv.window_view(padded, (2, 3), (2, 1), (1, 2), (4, 2))


@st.composite
def conv_layers(draw, groups=True):
    """(n, c, f, h, w, geometry): any stride, dilation, asymmetric padding, groups (depthwise too),
    with at least one output position."""
    g = draw(st.sampled_from([1, 1, 2, 3])) if groups else 1
    c, f = g * draw(st.integers(1, 3)), g * draw(st.integers(1, 3))
    if g > 1 and draw(st.booleans()):
        c = f = g  # depthwise
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    top, bottom, left, right = draw(st.tuples(*[st.integers(0, 2)] * 4))
    geometry = ConvGeometry(kernel, stride, ((top, bottom), (left, right)), dilation, g)
    h, w = draw(st.integers(3, 8)), draw(st.integers(3, 8))
    oh, ow = geometry.output_hw(h, w)
    assume(oh > 0 and ow > 0)
    return draw(st.integers(1, 4)), c, f, h, w, geometry


def _arrays(dtype, seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]


def _conv_arrays(layer, dtype):
    n, c, f, h, w, geometry = layer
    (kh, kw), (oh, ow) = geometry.kernel, geometry.output_hw(h, w)
    return _arrays(dtype, 0, (n, c, h, w), (f, c // geometry.groups, kh, kw), (n, f, oh, ow))


@given(layer=conv_layers(), dtype=DTYPES, budget=st.sampled_from([1, 2**30]))
def test_conv_twins_equal_the_reference(layer, dtype, budget):
    """Forward, input gradient and weight gradient, the way Conv2dFunction calls them (one scratch
    dict from forward to both gradients), with the budget forcing chunks or keeping buffers."""
    x, w, dy = _conv_arrays(layer, dtype)
    geometry = layer[-1]
    with im2col_budget_of(budget):
        scratch = {}
        y = fast_conv.conv2d_forward_fast(x, w, geometry, scratch)
        if y is NotImplemented:
            assert budget == 1 and not fast_conv.rows_layout_pays(x.shape[1], geometry, dy.shape[3])
            y = conv.conv2d_forward.reference(x, w, geometry, {})
        dx = fast_conv.conv2d_grad_input_fast(dy, w, x.shape, geometry, scratch)
        dw = fast_conv.conv2d_grad_weight_fast(x, dy, w.shape, geometry, scratch)
        assert "grouped_dy" not in scratch  # handed over once, then dropped
    np.testing.assert_allclose(y, conv.conv2d_forward.reference(x, w, geometry, {}), **TOLERANCE[dtype])
    np.testing.assert_allclose(dx, conv.conv2d_grad_input.reference(dy, w, x.shape, geometry, {}), **TOLERANCE[dtype])
    np.testing.assert_allclose(dw, conv.conv2d_grad_weight.reference(x, dy, w.shape, geometry, {}), **TOLERANCE[dtype])
    assert y.dtype == dx.dtype == dw.dtype == dtype


@given(layer=conv_layers(groups=False), dtype=DTYPES, batch_last=st.booleans(), budget=st.sampled_from([1, 2**30]))
def test_col2im_in_either_memory_order_equals_the_reference(layer, dtype, batch_last, budget):
    x, w, dy = _conv_arrays(layer, dtype)
    geometry = layer[-1]
    with im2col_budget_of(budget):
        grouped = fast_conv.grouped_dy(dy, 1, batch_last)
        dx = fast_conv.grad_input_by_col2im(grouped, w, x.shape, geometry, dy.shape, batch_last)
    np.testing.assert_allclose(dx, conv.conv2d_grad_input.reference(dy, w, x.shape, geometry, {}), **TOLERANCE[dtype])


@st.composite
def full_correlation_layers(draw):
    """Stride 1, groups 1, and padding ≤ d·(k − 1) on every side (also asymmetric): where the input
    gradient can be computed as a forward convolution."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    (top, bottom), (left, right) = [tuple(draw(st.integers(0, d * (k - 1))) for _ in range(2))
                                    for k, d in zip(kernel, dilation)]
    geometry = ConvGeometry(kernel, (1, 1), ((top, bottom), (left, right)), dilation, 1)
    h, w = draw(st.integers(5, 8)), draw(st.integers(5, 8))
    return draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4)), h, w, geometry


@given(layer=full_correlation_layers(), dtype=DTYPES)
def test_input_gradient_as_a_convolution_equals_the_reference(layer, dtype):
    """Whether or not the rule would choose it."""
    x, w, dy = _conv_arrays(layer, dtype)
    dx = fast_conv.grad_input_as_convolution(dy, w, layer[-1])
    np.testing.assert_allclose(dx, conv.conv2d_grad_input.reference(dy, w, x.shape, layer[-1], {}), **TOLERANCE[dtype])


@given(layer=conv_layers(groups=False), dtype=DTYPES, kept=st.booleans(), one_sample_pieces=st.booleans())
def test_channels_last_rows_equal_the_reference(layer, dtype, kept, one_sample_pieces, monkeypatch):
    """y from the rows, and dW from forward's kept rows, in one piece or one sample at a time."""
    x, w, dy = _conv_arrays(layer, dtype)
    geometry = layer[-1]
    out_hw = dy.shape[2:]
    monkeypatch.setattr(fast_conv, "_ROWS_PIECE_BYTES", 1 if one_sample_pieces else 2**30)
    with im2col_budget_of(2**30 if kept else 1):
        y, rows = fast_conv.forward_by_rows(x, w, geometry, out_hw)
        y_unkept, unkept = fast_conv.forward_by_rows(x, w, geometry, out_hw, keep=False)
    np.testing.assert_allclose(y, conv.conv2d_forward.reference(x, w, geometry, {}), **TOLERANCE[dtype])
    np.testing.assert_array_equal(y_unkept, y)
    assert (rows is not None) == kept and unkept is None
    if kept:
        dw = fast_conv.grad_weight_from_rows(rows, dy, w.shape)
        np.testing.assert_allclose(dw, conv.conv2d_grad_weight.reference(x, dy, w.shape, geometry, {}),
                                   **TOLERANCE[dtype])


@given(layer=conv_layers(), dtype=DTYPES)
def test_depthwise_input_gradient_equals_the_reference(layer, dtype):
    n, c, f, h, w_, geometry = layer
    assume(fast_conv.is_depthwise(geometry, c, f))
    x, w, dy = _conv_arrays(layer, dtype)
    np.testing.assert_allclose(fast_conv.depthwise_grad_input(dy, w, x.shape, geometry),
                               conv.conv2d_grad_input.reference(dy, w, x.shape, geometry, {}), **TOLERANCE[dtype])


def test_which_conv_trick_is_chosen():
    g = lambda kernel, stride=(1, 1), pads=((0, 0), (0, 0)), groups=1: ConvGeometry(kernel, stride, pads, (1, 1), groups)  # noqa: E731
    resnet_3x3, lenet_conv2 = g((3, 3), pads=((1, 1), (1, 1))), g((5, 5))
    assert fast_conv.rows_layout_pays(16, resnet_3x3, 32)  # runs of 3·16 = 48 numbers beat 32
    assert not fast_conv.rows_layout_pays(3, resnet_3x3, 32)  # the RGB layer: 9 < 32
    assert not fast_conv.rows_layout_pays(1, g((5, 5), pads=((2, 2), (2, 2))), 28)
    assert fast_conv.rows_layout_pays(3, g((3, 3), (2, 2)), 16)  # channel-first would copy single numbers
    assert not fast_conv.rows_layout_pays(64, g((3, 3), groups=2), 8)
    assert not fast_conv.rows_layout_pays(64, g((1, 1)), 16)  # channel-first: one plain copy
    assert fast_conv.grad_input_as_convolution_pays((8, 16, 32, 32), (8, 16, 32, 32), resnet_3x3)
    assert not fast_conv.grad_input_as_convolution_pays((8, 16, 10, 10), (8, 6, 14, 14), lenet_conv2)
    assert not fast_conv.grad_input_as_convolution_pays((8, 32, 16, 16), (8, 16, 32, 32), g((3, 3), (2, 2)))
    assert fast_conv.batch_last_pays(lenet_conv2, 10)  # short rows
    assert not fast_conv.batch_last_pays(g((1, 1)), 16)  # col2im of a 1×1 kernel is one add
    assert not fast_conv.batch_last_pays(resnet_3x3, 32)


@st.composite
def pool_geometries(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    hw = (draw(st.integers(3, 7)), draw(st.integers(3, 7)))
    geometry = pooling.PoolGeometry(kernel, stride, padding, dilation, draw(st.booleans()), hw)
    assume(min(geometry.out_hw) > 0)
    return draw(st.integers(1, 3)), draw(st.integers(1, 3)), geometry


@given(pool=pool_geometries(), dtype=DTYPES, ties=st.booleans())
def test_max_pool_twins_equal_the_reference(pool, dtype, ties):
    n, c, geometry = pool
    (x,) = _arrays(dtype, 1, (n, c) + geometry.hw)
    if ties:
        x = np.round(x).astype(dtype)  # many equal values: the first maximum must win in both
    y, argmax = fast_pool.max_pool2d_forward_fast(x, geometry)
    y_ref, argmax_ref = pooling.max_pool2d_forward.reference(x, geometry)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(argmax, argmax_ref)
    assert argmax.dtype == argmax_ref.dtype == np.int32
    np.testing.assert_array_equal(fast_pool.max_pool2d_values_fast(x, geometry), y_ref)
    (dy,) = _arrays(dtype, 2, y.shape)
    dx = fast_pool.max_pool2d_backward_fast(dy, argmax, geometry)
    if geometry.overlapping:
        assert dx is NotImplemented
    else:
        np.testing.assert_array_equal(dx, pooling.max_pool2d_backward.reference(dy, argmax, geometry))


@st.composite
def bn_shapes(draw):
    return (draw(st.integers(1, 4)), draw(st.integers(1, 4))) + tuple(
        draw(st.lists(st.integers(1, 4), min_size=0, max_size=2)))


@given(shape=bn_shapes(), dtype=DTYPES, needs=st.tuples(st.booleans(), st.booleans(), st.booleans()),
       zero_gamma=st.booleans())
def test_batch_norm_twins_equal_the_reference(shape, dtype, needs, zero_gamma):
    """Forward statistics and output; the array backward against the Tensor-op closed form, also
    with γ = 0 in a channel (ResNet's zero-initialised last BN) and any subset of gradients."""
    assume(np.prod(shape) // shape[1] > 1)
    x, w, b, gy = _arrays(dtype, 3, shape, shape[1:2], shape[1:2], shape)
    if zero_gamma:
        w[0] = 0
    axes = (0,) + tuple(range(2, len(shape)))
    y, stats = fast_norm.batch_norm_forward_fast(x, w, b, axes, 1e-5)
    y_ref, stats_ref = normalization.batch_norm_forward.reference(x, w, b, axes, 1e-5)
    for ours, expected in zip((y,) + tuple(stats), (y_ref,) + tuple(stats_ref)):
        np.testing.assert_allclose(ours, expected, **TOLERANCE[dtype])
    tensors = [minidl.tensor(a) for a in (gy, x, w)]
    with minidl.no_grad():
        fast = fast_norm.batch_norm_backward_fast(*tensors, stats, axes, 1e-5, needs)
        reference = normalization.batch_norm_backward.reference(*tensors, stats_ref, axes, 1e-5, needs)
    for ours, expected, needed in zip(fast, reference, needs):
        assert (ours is None) == (expected is None) == (not needed)
        if needed:
            np.testing.assert_allclose(ours.numpy(), expected.numpy(), **TOLERANCE[dtype])
    with minidl.enable_grad():  # create_graph: only the differentiable reference may answer
        assert fast_norm.batch_norm_backward_fast(*tensors, stats, axes, 1e-5, needs) is NotImplemented


def test_every_twin_is_tested_here():
    tested = {f"minidl.functions.{name}" for name in (
        "conv.conv2d_forward", "conv.conv2d_grad_input", "conv.conv2d_grad_weight",
        "pooling.max_pool2d_forward", "pooling.max_pool2d_values", "pooling.max_pool2d_backward",
        "normalization.batch_norm_forward", "normalization.batch_norm_backward")}
    assert {name for name, _ in registered_twins()} == tested


def test_the_switch_turns_every_twin_off(monkeypatch):
    calls = []
    original = registered_twins()[("minidl.functions.conv.conv2d_forward", "numpy")]
    monkeypatch.setitem(minidl.functions.dispatch._TWINS, ("minidl.functions.conv.conv2d_forward", "numpy"),
                        lambda *args: calls.append(1) or original(*args))
    x, w = minidl.randn(1, 2, 5, 5), minidl.randn(3, 2, 3, 3)
    with minidl.use_fast_paths(True):  # whatever MINIDL_FAST said at start-up
        assert minidl.fast_paths_enabled()
        minidl.nn.functional.conv2d(x, w)
        assert len(calls) == 1
        with minidl.use_fast_paths(False):
            assert not minidl.fast_paths_enabled()
            minidl.nn.functional.conv2d(x, w)
        assert len(calls) == 1 and minidl.fast_paths_enabled()
        minidl.use_fast_paths(False)  # called, not entered: stays off
        minidl.nn.functional.conv2d(x, w)
        assert len(calls) == 1 and not minidl.fast_paths_enabled()
    with pytest.raises(TypeError, match="enabled must be True or False"):
        minidl.use_fast_paths("no")


def test_environment_variable_turns_them_off_at_start_up():
    code = "import minidl; print(minidl.fast_paths_enabled())"
    for value, expected in (("0", "False"), ("1", "True"), ("off", "False"), ("Yes", "True")):
        env = dict(os.environ, MINIDL_FAST=value)
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == expected
    typo = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, MINIDL_FAST="junk"), capture_output=True,
                          text=True)
    assert typo.returncode != 0 and "MINIDL_FAST: expected 0/1" in typo.stderr
