"""pixel_shuffle / pixel_unshuffle (and their layers) and SpatialPyramidPooling: gradcheck on
hypothesis shapes, values and gradients against PyTorch, PyTorch's error messages."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import minidl
import minidl.nn.functional as F
from minidl import nn
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def shuffle_cases(draw):
    """(batch dims, C, H, W, r): 0 to 2 leading batch dims, as PyTorch accepts any number."""
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    r = draw(st.integers(1, 3))
    return batch, draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3)), r


@given(case=shuffle_cases())
@settings(max_examples=6)
def test_pixel_shuffle_gradcheck_and_torch(case, device):
    batch, c, h, w, r = case
    torch = pytest.importorskip("torch")
    x = random_inputs([batch + (c * r * r, h, w)], device=device)
    check_op(lambda t: F.pixel_shuffle(t, r), x, gradgrad=False)
    if device == "cpu":
        compare_with_torch(lambda t: F.pixel_shuffle(t, r), lambda t: torch.nn.functional.pixel_shuffle(t, r), x)


@given(case=shuffle_cases())
@settings(max_examples=6)
def test_pixel_unshuffle_gradcheck_and_torch(case, device):
    batch, c, h, w, r = case
    torch = pytest.importorskip("torch")
    x = random_inputs([batch + (c, h * r, w * r)], device=device)
    check_op(lambda t: F.pixel_unshuffle(t, r), x, gradgrad=False)
    if device == "cpu":
        compare_with_torch(lambda t: F.pixel_unshuffle(t, r), lambda t: torch.nn.functional.pixel_unshuffle(t, r), x)


def test_unshuffle_inverts_shuffle_and_layers():
    x = minidl.randn(2, 12, 3, 5)
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).numpy(), x.numpy())
    assert nn.PixelShuffle(2)(x).shape == (2, 3, 6, 10)
    assert nn.PixelUnshuffle(3)(minidl.randn(1, 2, 6, 9)).shape == (1, 18, 2, 3)
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    assert repr(nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"
    # channel c·r² + i·r + j → pixel (i, j) of channel c's tile
    y = F.pixel_shuffle(minidl.arange(8.0).reshape(1, 8, 1, 1), 2)
    np.testing.assert_array_equal(y.numpy()[0], [[[0, 1], [2, 3]], [[4, 5], [6, 7]]])


@pytest.mark.parametrize("call,message", [
    (lambda: F.pixel_shuffle(minidl.zeros(2, 5, 3, 3), 2),
     r"divisible by the square of upscale_factor, but input.size\(-3\)=5 is not divisible by 4"),
    (lambda: F.pixel_shuffle(minidl.zeros(2, 3), 2), "at least 3 dimensions, but got input with 2 dimension"),
    (lambda: F.pixel_shuffle(minidl.zeros(1, 4, 2, 2), 0), "positive upscale_factor, but got 0"),
    (lambda: F.pixel_unshuffle(minidl.zeros(2, 4, 5, 4), 2),
     r"height to be divisible by downscale_factor, but input.size\(-2\)=5"),
    (lambda: F.pixel_unshuffle(minidl.zeros(2, 4, 4, 5), 2),
     r"width to be divisible by downscale_factor, but input.size\(-1\)=5"),
])
def test_errors_are_pytorchs(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("size", [(4, 4), (5, 7), (13, 13)])
def test_spatial_pyramid_pooling_matches_torch_and_gradcheck(mode, size):
    """SPP = concatenated adaptive pools; PyTorch's adaptive pools are the oracle, any input size."""
    torch = pytest.importorskip("torch")
    spp = nn.SpatialPyramidPooling((4, 2, 1), mode)
    pool = getattr(torch.nn.functional, f"adaptive_{mode}_pool2d")
    rng = np.random.default_rng(0)  # distinct values: finite differences never swap a maximum
    x = minidl.tensor(rng.permutation(2 * 3 * size[0] * size[1]).reshape(2, 3, *size) * 0.1, requires_grad=True)
    out = spp(x)
    assert out.shape == (2, 3 * 21)
    compare_with_torch(spp, lambda t: torch.cat([pool(t, n).flatten(1) for n in (4, 2, 1)], 1), [x])
    if size == (5, 7):  # finite differences on one size: uneven, overlapping bins
        minidl.gradcheck(spp, [x[:1, :1].detach().requires_grad_()])


def test_spatial_pyramid_pooling_fixed_length_and_errors():
    spp = nn.SpatialPyramidPooling()
    assert spp(minidl.randn(1, 8, 9, 11)).shape == spp(minidl.randn(1, 8, 20, 6)).shape == (1, 8 * 21)
    assert repr(spp) == "SpatialPyramidPooling(levels=(4, 2, 1), mode='max')"
    with pytest.raises(ValueError, match="levels must be positive ints"):
        nn.SpatialPyramidPooling((2, 0))
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'sum'"):
        nn.SpatialPyramidPooling(mode="sum")
    with pytest.raises(ValueError, match=r"expected input of shape \(N, C, H, W\), got shape \(8, 9, 11\)"):
        spp(minidl.randn(8, 9, 11))
