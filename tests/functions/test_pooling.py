"""Pooling: gradcheck on hypothesis configurations, the naive loops, PyTorch parity, tie rule, indices."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import minidl
import minidl.nn.functional as F
from minidl.functions import naive
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def pool_configs(draw, with_dilation=True):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if with_dilation else (1, 1)
    h = draw(st.integers(dilation[0] * (kh - 1) + 1, 7))
    w = draw(st.integers(dilation[1] * (kw - 1) + 1, 7))
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), kernel_size=(kh, kw), stride=stride,
                padding=padding, dilation=dilation, ceil_mode=draw(st.booleans()))


def _distinct(shape, seed=0):
    """Inputs with well separated values, so finite differences never swap a maximum."""
    rng = np.random.default_rng(seed)
    values = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1
    return minidl.tensor(values, requires_grad=True)


@given(cfg=pool_configs())
def test_max_pool2d_gradcheck_and_torch(cfg, device):
    kwargs = {k: v for k, v in cfg.items() if k != "shape"}
    x = _distinct(cfg["shape"])
    check_op(lambda t: F.max_pool2d(t, **kwargs), [x.to(device) if device != "cpu" else x])


@given(cfg=pool_configs())
def test_max_pool2d_matches_torch_with_indices(cfg):
    torch = pytest.importorskip("torch")
    kwargs = {k: v for k, v in cfg.items() if k != "shape"}
    x = _distinct(cfg["shape"])
    assert compare_with_torch(lambda t: F.max_pool2d(t, **kwargs), lambda t: torch.nn.functional.max_pool2d(t, **kwargs), [x])
    _, ours = F.max_pool2d(x, return_indices=True, **kwargs)
    _, theirs = torch.nn.functional.max_pool2d(torch.from_numpy(x.array), return_indices=True, **kwargs)
    assert ours.tolist() == theirs.tolist()


@given(cfg=pool_configs(), ties=st.booleans())
def test_max_pool_inference_path_equals_the_recorded_one(cfg, ties, device):
    """Without a gradient to compute, max_pool2d skips the argmax: same values, no graph."""
    kwargs = {k: v for k, v in cfg.items() if k != "shape"}
    x = _distinct(cfg["shape"])
    if ties:  # few distinct values: many windows hold their maximum twice
        x = minidl.tensor(np.floor(x.array / 0.7), requires_grad=True)
    x = x.to(device)
    recorded = F.max_pool2d(x, **kwargs)
    with minidl.no_grad():
        inferred = F.max_pool2d(x, **kwargs)
    plain = F.max_pool2d(x.detach(), **kwargs)
    assert recorded.requires_grad and not inferred.requires_grad and not plain.requires_grad
    for y in (inferred, plain):
        np.testing.assert_array_equal(y.cpu().numpy(), recorded.detach().cpu().numpy())


@given(cfg=pool_configs(with_dilation=False), count_include_pad=st.booleans())
def test_avg_pool2d_gradcheck_and_torch(cfg, count_include_pad):
    torch = pytest.importorskip("torch")
    kwargs = {k: v for k, v in cfg.items() if k not in ("shape", "dilation")}
    kwargs["count_include_pad"] = count_include_pad
    check_op(lambda t: F.avg_pool2d(t, **kwargs), [cfg["shape"]],
             torch_fn=lambda t: torch.nn.functional.avg_pool2d(t, **kwargs))


@pytest.mark.parametrize("output_size", [1, (1, 1), (2, 3), (3, 3), (4, 2), (7, 7), (None, 2)])
def test_adaptive_pools(output_size):
    torch = pytest.importorskip("torch")
    small_output = output_size in (1, (1, 1), (2, 3))  # second derivatives cost one pass per cell
    check_op(lambda t: F.adaptive_avg_pool2d(t, output_size), [(1, 2, 7, 6)], gradgrad=small_output,
             torch_fn=lambda t: torch.nn.functional.adaptive_avg_pool2d(t, output_size))
    check_op(lambda t: F.adaptive_max_pool2d(t, output_size), [_distinct((1, 2, 7, 6))], gradgrad=small_output,
             torch_fn=lambda t: torch.nn.functional.adaptive_max_pool2d(t, output_size))


@pytest.mark.parametrize("shape,output_size", [((2, 3, 1, 1), (7, 7)), ((1, 2, 2, 3), (4, 6)), ((1, 1, 2, 2), (2, 6))])
def test_adaptive_avg_pool_that_repeats_pixels(shape, output_size):
    """Output a multiple of the input: each bin is one pixel, repeated (no bin loop)."""
    torch = pytest.importorskip("torch")
    check_op(lambda t: F.adaptive_avg_pool2d(t, output_size), [shape],
             torch_fn=lambda t: torch.nn.functional.adaptive_avg_pool2d(t, output_size))


def test_max_pool_ties_go_to_first_maximum_in_row_major_order():
    x = minidl.tensor([[[[1.0, 5.0], [5.0, 5.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


def test_max_pool_padding_is_minus_infinity():
    for requires_grad in (False, True):  # the inference path and the recorded one
        x = minidl.full((1, 1, 2, 2), -5.0, requires_grad=requires_grad)
        assert F.max_pool2d(x, 3, stride=1, padding=1).tolist() == [[[[-5.0, -5.0], [-5.0, -5.0]]]]


def test_overlapping_windows_accumulate_gradient():
    x = minidl.tensor([[[[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad.tolist()[0][0][1][1] == 4.0  # the centre wins all four windows


@given(cfg=pool_configs(), ties=st.booleans())
def test_max_pool2d_forward_and_backward_match_the_naive_loops(cfg, ties):
    x = _distinct(cfg["shape"])
    if ties:
        x = minidl.tensor(np.floor(x.array / 0.7), requires_grad=True)
    args = (cfg["kernel_size"], cfg["stride"], cfg["padding"], cfg["dilation"])
    assume(not cfg["ceil_mode"])  # the loops know floor mode only
    y = F.max_pool2d(x, *args)
    np.testing.assert_array_equal(y.detach().numpy(), naive.max_pool2d_forward_naive(x.array, *args))
    dy = np.random.default_rng(1).standard_normal(y.shape)
    (dx,) = minidl.autograd.grad(y, [x], minidl.tensor(dy))
    np.testing.assert_allclose(dx.numpy(), naive.max_pool2d_backward_naive(dy, x.array, *args), rtol=1e-12, atol=1e-12)


@given(cfg=pool_configs(with_dilation=False))
def test_avg_pool2d_forward_and_backward_match_the_naive_loops(cfg):
    (x,) = random_inputs([cfg["shape"]])
    args = (cfg["kernel_size"], cfg["stride"], cfg["padding"])
    y = F.avg_pool2d(x, *args)
    np.testing.assert_allclose(y.detach().numpy(), naive.avg_pool2d_forward_naive(x.array, *args), rtol=1e-12, atol=1e-12)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    (dx,) = minidl.autograd.grad(y, [x], minidl.tensor(dy))
    np.testing.assert_allclose(dx.numpy(), naive.avg_pool2d_backward_naive(dy, x.shape, *args), rtol=1e-12, atol=1e-12)


def test_pool_too_small_message():
    with pytest.raises(RuntimeError, match="too small for kernel"):
        F.max_pool2d(minidl.zeros(1, 1, 2, 2), 3)
