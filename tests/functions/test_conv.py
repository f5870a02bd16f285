"""conv2d / conv_transpose2d / unfold / fold: finite differences, the naive reference, PyTorch."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import minidl
import minidl.nn.functional as F
from minidl.functions import naive
from minidl.functions.im2col import im2col_budget_of
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
def test_conv2d_forward_and_backward_match_the_naive_loops(cfg):
    """y, dx, dW and db against minidl.functions.naive (plain loops), with a random upstream gradient."""
    x, w, *b = _conv_inputs(cfg)
    args = (cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"])
    y = _conv(cfg)(x, w, *b)
    expected = naive.conv2d_forward_naive(x.array, w.array, b[0].array if b else None, *args)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    dy = np.random.default_rng(5).standard_normal(y.shape)
    grads = minidl.autograd.grad(y, [x, w] + b, minidl.tensor(dy))
    for ours, theirs in zip(grads, naive.conv2d_backward_naive(dy, x.array, w.array, *args)):
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-10, atol=1e-12)


@settings(max_examples=8)
@given(cfg=conv_configs())
def test_naive_conv2d_backward_matches_finite_differences_of_the_naive_forward(cfg):
    """The naive loops checked on their own (no other minidl code): each gradient of L = Σ dy·y
    against central differences of conv2d_forward_naive, element by element (float64)."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(cfg["x_shape"]), rng.standard_normal(cfg["w_shape"])
    b = rng.standard_normal(cfg["w_shape"][0]) if cfg["bias"] else None
    args = (cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"])
    dy = rng.standard_normal(naive.conv2d_forward_naive(x, w, b, *args).shape)
    dx, dw, db = naive.conv2d_backward_naive(dy, x, w, *args)

    def numerical(array):
        grad = np.zeros_like(array)
        for index in np.ndindex(*array.shape):
            saved = array[index]
            array[index] = saved + 1e-6
            up = np.sum(dy * naive.conv2d_forward_naive(x, w, b, *args))
            array[index] = saved - 1e-6
            down = np.sum(dy * naive.conv2d_forward_naive(x, w, b, *args))
            array[index] = saved
            grad[index] = (up - down) / 2e-6
        return grad

    np.testing.assert_allclose(dx, numerical(x), rtol=1e-6, atol=1e-7, err_msg="dx")
    np.testing.assert_allclose(dw, numerical(w), rtol=1e-6, atol=1e-7, err_msg="dw")
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)) if b is None else numerical(b), rtol=1e-6, atol=1e-7,
                               err_msg="db")


@given(cfg=conv_configs(max_batch=3))
def test_conv2d_matches_torch_float64(cfg):
    pytest.importorskip("torch")
    assert compare_with_torch(_conv(cfg), _torch_conv(cfg), _conv_inputs(cfg), rtol=1e-5)


@given(cfg=conv_configs(max_batch=3))
def test_conv2d_matches_torch_float32(cfg):
    pytest.importorskip("torch")
    inputs = [minidl.tensor(t.array.astype(np.float32), requires_grad=True) for t in _conv_inputs(cfg)]
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
            *[torch.from_numpy(t.array) for t in inputs], **kwargs)
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
def test_depthwise_convolution_matches_naive_loops_and_gradcheck(kwargs):
    x, w, b = random_inputs([(2, 4, 7, 6), (4, 1, 3, 2), (4,)])
    y = F.conv2d(x, w, b, groups=4, **kwargs)
    args = (kwargs.get("stride", 1), kwargs.get("padding", 0), kwargs.get("dilation", 1), 4)
    np.testing.assert_allclose(y.detach().numpy(), naive.conv2d_forward_naive(x.array, w.array, b.array, *args),
                               rtol=1e-12, atol=1e-12)
    check_op(lambda t, k: F.conv2d(t, k, groups=4, **kwargs), [x, w], gradgrad=True)


def test_reference_path_builds_no_column_buffer_over_the_budget(monkeypatch):
    """The reference conv2d must process the batch in the chunks batch_chunks gives (a correct result
    alone would not show it): every column buffer im2col builds stays within the budget."""
    import minidl.functions.conv as conv_module

    built = []

    def recording_im2col(*args, **kwargs):
        col = reference_im2col(*args, **kwargs)
        built.append(col.nbytes)
        return col

    reference_im2col = conv_module.im2col
    monkeypatch.setattr(conv_module, "im2col", recording_im2col)
    x, w = random_inputs([(6, 3, 9, 8), (4, 3, 3, 3)])
    budget = 2 * 3 * 9 * 9 * 8 * 8  # two samples' columns
    with minidl.use_fast_paths(False), im2col_budget_of(budget):
        y = F.conv2d(x, w, padding=1)
        minidl.autograd.grad((y * y).sum(), [x, w])
    assert built and max(built) <= budget, f"column buffers of {built} bytes with a budget of {budget}"
