"""conv2d / conv_transpose2d / unfold / fold: finite differences, the naive reference, PyTorch."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import minidl
import minidl.nn.functional as F
from minidl.functions.conv import im2col_budget_of
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def conv_configs(draw, max_batch=2):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 6))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 6))
    return dict(
        x_shape=(draw(st.integers(1, max_batch)), c_in, h, w),
        w_shape=(c_out, c_in // groups, kh, kw),
        bias=draw(st.booleans()),
        stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=groups,
    )


def _conv_inputs(cfg, seed=0):
    shapes = [cfg["x_shape"], cfg["w_shape"]] + ([(cfg["w_shape"][0],)] if cfg["bias"] else [])
    return random_inputs(shapes, seed=seed)


def _conv(cfg):
    kwargs = {k: cfg[k] for k in ("stride", "padding", "dilation", "groups")}
    return lambda x, w, b=None: F.conv2d(x, w, b, **kwargs)


def _torch_conv(cfg):
    import torch

    kwargs = {k: cfg[k] for k in ("stride", "padding", "dilation", "groups")}
    return lambda x, w, b=None: torch.nn.functional.conv2d(x, w, b, **kwargs)


@given(cfg=conv_configs())
def test_conv2d_gradcheck_and_gradgradcheck(cfg, device):
    check_op(_conv(cfg), [t.to(device) if device != "cpu" else t for t in _conv_inputs(cfg)], gradgrad=True)


@given(cfg=conv_configs(max_batch=3))
def test_conv2d_matches_naive_reference(cfg):
    x, w, *b = _conv_inputs(cfg)
    pads = tuple((p, p) for p in cfg["padding"])
    expected = F.conv2d_reference(x.data, w.data, b[0].data if b else None, cfg["stride"], pads, cfg["dilation"], cfg["groups"])
    np.testing.assert_allclose(_conv(cfg)(x, w, *b).detach().numpy(), expected, rtol=1e-12, atol=1e-12)


@given(cfg=conv_configs(max_batch=4), chunked=st.booleans())
def test_batch_last_col2im_gives_the_channel_first_gradients(cfg, chunked):
    """Output and both gradients with col2im channel-first or batch-last, whole batch or one
    sample per chunk: the same numbers."""
    from minidl.functions import conv as conv_module

    x, w, *b = _conv_inputs(cfg)
    results = []
    for batch_last in (False, True):
        original = conv_module._batch_last_pays
        conv_module._batch_last_pays = lambda geometry, ow: batch_last
        try:
            with im2col_budget_of(1 if chunked else 2**30):
                y = _conv(cfg)(x, w, *b)
                results.append([y.detach()] + list(minidl.autograd.grad((y * y).sum(), [x, w] + b)))
        finally:
            conv_module._batch_last_pays = original
    for channel_first, batch_last in zip(*results):
        np.testing.assert_allclose(batch_last.numpy(), channel_first.numpy(), rtol=1e-10, atol=1e-12)


@given(cfg=conv_configs(max_batch=3))
def test_conv2d_matches_torch_float64(cfg):
    pytest.importorskip("torch")
    assert compare_with_torch(_conv(cfg), _torch_conv(cfg), _conv_inputs(cfg), rtol=1e-5)


@given(cfg=conv_configs(max_batch=3))
def test_conv2d_matches_torch_float32(cfg):
    pytest.importorskip("torch")
    inputs = [minidl.tensor(t.data.astype(np.float32), requires_grad=True) for t in _conv_inputs(cfg)]
    assert compare_with_torch(_conv(cfg), _torch_conv(cfg), inputs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("kernel,dilation", [((3, 3), 1), ((2, 4), 1), ((3, 2), 2)])
def test_string_padding(padding, kernel, dilation):
    torch = pytest.importorskip("torch")
    x, w = random_inputs([(2, 3, 7, 6), (4, 3) + kernel])
    assert compare_with_torch(
        lambda a, b: F.conv2d(a, b, padding=padding, dilation=dilation),
        lambda a, b: torch.nn.functional.conv2d(a, b, padding=padding, dilation=dilation), [x, w],
    )
    if padding == "same":
        assert F.conv2d(x, w, padding="same", dilation=dilation).shape[2:] == (7, 6)


@given(cfg=conv_configs(max_batch=2), output_padding=st.integers(0, 1))
def test_conv_transpose2d_gradcheck_and_torch(cfg, output_padding):
    torch = pytest.importorskip("torch")
    stride, dilation = cfg["stride"], cfg["dilation"]
    out_pad = tuple(min(output_padding, max(s, d) - 1) for s, d in zip(stride, dilation))
    groups = cfg["groups"]
    c_in, c_out = cfg["x_shape"][1], cfg["w_shape"][0]
    shapes = [cfg["x_shape"], (c_in, c_out // groups) + cfg["w_shape"][2:]] + ([(c_out,)] if cfg["bias"] else [])
    kwargs = dict(stride=stride, padding=cfg["padding"], output_padding=out_pad, groups=groups, dilation=dilation)
    ours = lambda x, w, b=None: F.conv_transpose2d(x, w, b, **kwargs)  # noqa: E731
    inputs = random_inputs(shapes)
    try:
        torch_out = torch.nn.functional.conv_transpose2d(
            *[torch.from_numpy(t.data) for t in inputs], **kwargs)
    except RuntimeError:
        with pytest.raises(RuntimeError):  # torch refuses (output size <= 0): so must we
            ours(*inputs)
        return
    assert torch_out.numel() > 0
    check_op(ours, inputs, torch_fn=lambda x, w, b=None: torch.nn.functional.conv_transpose2d(x, w, b, **kwargs))


@given(cfg=conv_configs(max_batch=2))
def test_unfold_fold_gradcheck_and_torch(cfg):
    torch = pytest.importorskip("torch")
    kwargs = dict(kernel_size=cfg["w_shape"][2:], dilation=cfg["dilation"], padding=cfg["padding"], stride=cfg["stride"])
    (x,) = random_inputs([cfg["x_shape"]])
    check_op(lambda t: F.unfold(t, **kwargs), [x], torch_fn=lambda t: torch.nn.functional.unfold(t, **kwargs))
    cols = F.unfold(x, **kwargs)
    (c,) = random_inputs([cols.shape], seed=1)
    size = cfg["x_shape"][2:]
    check_op(lambda t: F.fold(t, size, **kwargs), [c], torch_fn=lambda t: torch.nn.functional.fold(t, size, **kwargs))


def test_memory_budget_chunks_the_batch_with_same_result():
    x, w, b = random_inputs([(6, 3, 9, 8), (4, 3, 3, 3), (4,)])
    full = F.conv2d(x, w, b, padding=1)
    full_grads = minidl.autograd.grad(full.sum() * 1.0 + (full * full).sum(), [x, w, b])
    col_bytes_per_sample = 3 * 9 * 9 * 8 * 8
    with im2col_budget_of(2 * col_bytes_per_sample):  # at most two samples per chunk
        chunked = F.conv2d(x, w, b, padding=1)
        chunked_grads = minidl.autograd.grad(chunked.sum() * 1.0 + (chunked * chunked).sum(), [x, w, b])
    np.testing.assert_allclose(chunked.detach().numpy(), full.detach().numpy(), rtol=1e-12)
    for ours, reference in zip(chunked_grads, full_grads):
        np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-12)


def test_chunked_conv_passes_gradcheck():
    with im2col_budget_of(1):  # one sample at a time
        check_op(lambda x, w: F.conv2d(x, w, stride=2, padding=1), [(3, 2, 5, 5), (2, 2, 3, 3)])


def test_channel_mismatch_message():
    with pytest.raises(RuntimeError, match=r"expected input with 3 channels \(weight shape \(6, 3, 5, 5\), groups=1\), got 1 channels \(input shape \(8, 1, 28, 28\)\)"):
        F.conv2d(minidl.zeros(8, 1, 28, 28), minidl.zeros(6, 3, 5, 5))


def test_too_small_input_message():
    with pytest.raises(RuntimeError, match="too small for kernel"):
        F.conv2d(minidl.zeros(1, 1, 2, 2), minidl.zeros(1, 1, 3, 3))


def test_dtype_mismatch_message():
    with pytest.raises(TypeError, match="input is float32 but weight is float64"):
        F.conv2d(minidl.zeros(1, 1, 3, 3), minidl.zeros(1, 1, 3, 3, dtype=minidl.float64))


def test_same_padding_needs_stride_one():
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        F.conv2d(minidl.zeros(1, 1, 5, 5), minidl.zeros(1, 1, 3, 3), stride=2, padding="same")


def test_unbatched_input():
    x, w = minidl.randn(3, 6, 6), minidl.randn(4, 3, 3, 3)
    assert F.conv2d(x, w).shape == (4, 4, 4)


def test_float32_conv_keeps_float32_gradients():
    x = minidl.randn(2, 3, 6, 6, requires_grad=True)
    w = minidl.randn(4, 3, 3, 3, requires_grad=True)
    F.conv2d(x, w, padding=1).sum().backward()
    assert x.grad.dtype == minidl.float32 and w.grad.dtype == minidl.float32


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1))])
def test_depthwise_fast_path_matches_reference_and_general_path(kwargs):
    from minidl.functions import conv as conv_module

    x, w, b = random_inputs([(2, 4, 7, 6), (4, 1, 3, 2), (4,)])
    fast = F.conv2d(x, w, b, groups=4, **kwargs)
    stride = conv_module.pair(kwargs.get("stride", 1), "stride", "t")
    padding = conv_module.pair(kwargs.get("padding", 0), "padding", "t")
    dilation = conv_module.pair(kwargs.get("dilation", 1), "dilation", "t")
    expected = F.conv2d_reference(x.data, w.data, b.data, stride, tuple((p, p) for p in padding), dilation, 4)
    np.testing.assert_allclose(fast.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    grads_fast = minidl.autograd.grad((fast * fast).sum(), [x, w])
    original = conv_module.is_depthwise
    conv_module.is_depthwise = lambda *args: False  # force the general grouped-matmul path
    try:
        general = F.conv2d(x, w, b, groups=4, **kwargs)
        grads_general = minidl.autograd.grad((general * general).sum(), [x, w])
    finally:
        conv_module.is_depthwise = original
    for a, b_ in zip(grads_fast, grads_general):
        np.testing.assert_allclose(a.numpy(), b_.numpy(), rtol=1e-10, atol=1e-12)
    check_op(lambda t, k: F.conv2d(t, k, groups=4, **kwargs), [x, w])


@given(c=st.integers(1, 4), f=st.integers(1, 4), kh=st.integers(1, 3), kw=st.integers(1, 3), dh=st.integers(1, 2),
       dw=st.integers(1, 2), pads=st.tuples(*[st.integers(0, 2)] * 4), h=st.integers(3, 7), w=st.integers(3, 7))
def test_grad_input_as_a_convolution_equals_col2im(c, f, kh, kw, dh, dw, pads, h, w):
    """For stride 1, dx is a forward convolution of dy with the flipped, transposed kernel; it must
    equal the col2im reference on every padding (also asymmetric) and dilation it is chosen for."""
    from minidl.functions import conv as conv_module

    top, bottom, left, right = pads
    geometry = conv_module.ConvGeometry((kh, kw), (1, 1), ((top, bottom), (left, right)), (dh, dw), 1)
    oh, ow = geometry.output_hw(h, w)
    if oh <= 0 or ow <= 0:
        return
    rng = np.random.default_rng(0)
    gy, weight = rng.standard_normal((2, f, oh, ow)), rng.standard_normal((f, c, kh, kw))
    reference = conv_module.grad_input_by_col2im(gy, weight, (2, c, h, w), geometry, batch_last=False)
    valid_padding = min(dh * (kh - 1) - top, dh * (kh - 1) - bottom, dw * (kw - 1) - left, dw * (kw - 1) - right) >= 0
    if valid_padding:
        as_convolution = conv_module.conv_forward_array(gy, conv_module._flipped_transposed(weight),
                                                        conv_module._full_correlation(geometry))[0]
        np.testing.assert_allclose(as_convolution, reference, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv_module.conv_grad_input_array(gy, weight, (2, c, h, w), geometry), reference,
                               rtol=1e-10, atol=1e-10)


@st.composite
def layer_geometries(draw):
    """(n, c, f, h, w, geometry): a groups = 1 layer with any stride, dilation and (asymmetric)
    padding that has at least one output position."""
    from minidl.functions.conv import ConvGeometry

    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    top, bottom, left, right = draw(st.tuples(*[st.integers(0, 2)] * 4))
    geometry = ConvGeometry(kernel, stride, ((top, bottom), (left, right)), dilation, 1)
    h, w = draw(st.integers(3, 7)), draw(st.integers(3, 7))
    oh, ow = geometry.output_hw(h, w)
    assume(oh > 0 and ow > 0)
    return draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4)), h, w, geometry


@given(layer=layer_geometries(), chunked=st.booleans())
def test_col2im_batch_last_equals_col2im(layer, chunked):
    """The batch-last col2im gives the channel-first reference's dx for every geometry, chunked or not."""
    from minidl.functions import conv as conv_module

    n, c, f, h, w, geometry = layer
    (kh, kw), (oh, ow) = geometry.kernel, geometry.output_hw(h, w)
    rng = np.random.default_rng(1)
    gy, weight = rng.standard_normal((n, f, oh, ow)), rng.standard_normal((f, c, kh, kw))
    reference = conv_module.grad_input_by_col2im(gy, weight, (n, c, h, w), geometry, batch_last=False)
    one_sample = c * kh * kw * oh * ow * 8
    with im2col_budget_of(one_sample if chunked else 2**30):
        batch_last = conv_module.grad_input_by_col2im(gy, weight, (n, c, h, w), geometry, batch_last=True)
    np.testing.assert_allclose(batch_last, reference, rtol=1e-10, atol=1e-10)


def test_grad_input_path_choice():
    from minidl.functions import conv as conv_module

    resnet_3x3 = conv_module.ConvGeometry((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    assert conv_module._grad_input_as_convolution((8, 16, 32, 32), (8, 16, 32, 32), resnet_3x3)
    lenet_conv2 = conv_module.ConvGeometry((5, 5), (1, 1), ((0, 0), (0, 0)), (1, 1), 1)
    assert not conv_module._grad_input_as_convolution((8, 16, 10, 10), (8, 6, 14, 14), lenet_conv2)
    assert conv_module._batch_last_pays(lenet_conv2, 10)  # short rows: batch-last col2im
    one_by_one = conv_module.ConvGeometry((1, 1), (1, 1), ((0, 0), (0, 0)), (1, 1), 1)
    assert not conv_module._batch_last_pays(one_by_one, 16)  # col2im of a 1×1 kernel is one add
    vgg_32 = conv_module.ConvGeometry((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    assert not conv_module._batch_last_pays(vgg_32, 32)  # 32-wide rows: channel-first col2im
    strided = conv_module.ConvGeometry((3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), 1)
    assert not conv_module._grad_input_as_convolution((8, 32, 16, 16), (8, 16, 32, 32), strided)


@given(layer=layer_geometries(), kept=st.booleans(), one_sample_chunks=st.booleans())
def test_channels_last_rows_equal_channel_first(layer, kept, one_sample_chunks):
    """The channels-last rows give the channel-first reference's y, and forward's kept rows its dW,
    for every geometry — rows built in one piece or one sample at a time, kept or not."""
    from minidl.functions import conv as conv_module

    n, c, f, h, w, geometry = layer
    (kh, kw), (oh, ow) = geometry.kernel, geometry.output_hw(h, w)
    rng = np.random.default_rng(2)
    x, weight = rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, kh, kw))
    gy = rng.standard_normal((n, f, oh, ow))
    reference_y, _ = conv_module.conv_forward_array(x, weight, geometry, rows=False)
    reference_gw = conv_module.conv_grad_weight_array(x, gy, weight.shape, geometry)  # rebuilt channel-first
    chunk_bytes = conv_module._ROWS_CHUNK_BYTES
    conv_module._ROWS_CHUNK_BYTES = 1 if one_sample_chunks else 2**30
    try:
        with im2col_budget_of(2**30 if kept else 1):
            y, saved = conv_module.conv_forward_array(x, weight, geometry, rows=True)
            y_unkept, unkept = conv_module.conv_forward_array(x, weight, geometry, rows=True, keep=False)
    finally:
        conv_module._ROWS_CHUNK_BYTES = chunk_bytes
    np.testing.assert_allclose(y, reference_y, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(y_unkept, y)
    assert (saved is not None) == kept and unkept is None
    if kept:
        assert saved.rows and saved.matrix.shape == (n * oh * ow, kh * kw * c)
        gw = conv_module.conv_grad_weight_array(x, gy, weight.shape, geometry, saved=saved)
        np.testing.assert_allclose(gw, reference_gw, rtol=1e-10, atol=1e-10)


def test_window_view_reads_every_window_without_copying():
    from minidl.functions.im2col import channels_last_padded, im2col_rows, window_view

    x = np.arange(2 * 3 * 5 * 4, dtype=np.float64).reshape(2, 3, 5, 4)
    padded = channels_last_padded(x, ((1, 0), (0, 2)))  # (N, H_p, W_p, C)
    assert padded.shape == (2, 6, 6, 3)
    windows = window_view(padded, (2, 3), (2, 1), (1, 2), (3, 2))
    assert np.shares_memory(windows, padded) and windows.shape == (2, 3, 2, 2, 3, 3)
    for n, oh, ow, i, j, ch in np.ndindex(*windows.shape):
        assert windows[n, oh, ow, i, j, ch] == padded[n, oh * 2 + i, ow + 2 * j, ch]
    rows = im2col_rows(padded, (2, 3), (2, 1), (1, 2), (3, 2))
    np.testing.assert_array_equal(rows, windows.reshape(12, 18))
    with pytest.raises(ValueError, match="do not fit"):
        window_view(padded, (2, 3), (2, 1), (1, 2), (4, 2))


def test_rows_layout_choice():
    from minidl.functions import conv as conv_module

    resnet_3x3 = conv_module.ConvGeometry((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    assert conv_module.rows_layout_pays(16, resnet_3x3, 32)  # runs of 3·16 = 48 numbers beat 32
    assert not conv_module.rows_layout_pays(3, resnet_3x3, 32)  # the RGB layer: 9 < 32
    lenet_conv1 = conv_module.ConvGeometry((5, 5), (1, 1), ((2, 2), (2, 2)), (1, 1), 1)
    assert not conv_module.rows_layout_pays(1, lenet_conv1, 28)
    strided = conv_module.ConvGeometry((3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), 1)
    assert conv_module.rows_layout_pays(3, strided, 16)  # channel-first would copy single numbers
    grouped = conv_module.ConvGeometry((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 2)
    assert not conv_module.rows_layout_pays(64, grouped, 8)
    one_by_one = conv_module.ConvGeometry((1, 1), (1, 1), ((0, 0), (0, 0)), (1, 1), 1)
    assert not conv_module.rows_layout_pays(64, one_by_one, 16)  # channel-first: one plain copy
