"""F.interpolate (every mode), its deprecated aliases and the Upsample modules: finite differences on
hypothesis-drawn shapes and scales (shrinking and growing, non-integer factors, ``size=``,
``align_corners`` both ways, ``recompute_scale_factor``, an empty batch), and forward and backward
against PyTorch."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.testing import check_op, compare_with_torch, random_inputs

_MODES_BY_DIMS = {1: ["nearest", "nearest-exact", "linear", "area"],
                  2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
                  3: ["nearest", "nearest-exact", "trilinear", "area"]}
_SCALES = [0.5, 0.6, 0.75, 1.0, 1.25, 1.5, 1.7, 2.0, 2.5, 3.0, 1 / 3]


@st.composite
def interpolate_configs(draw):
    dims = draw(st.sampled_from([1, 2, 2, 3]))
    mode = draw(st.sampled_from(_MODES_BY_DIMS[dims]))
    spatial = tuple(draw(st.integers(1 if dims == 3 else 2, 4 if dims == 3 else 6)) for _ in range(dims))
    shape = (draw(st.integers(0, 2)), draw(st.integers(1, 2))) + spatial
    kwargs = dict(mode=mode)
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kwargs["align_corners"] = draw(st.booleans())
    if draw(st.booleans()):
        sizes = tuple(draw(st.integers(1, 7 if dims < 3 else 4)) for _ in range(dims))
        kwargs["size"] = sizes if draw(st.booleans()) else sizes[0]
    else:
        factors = tuple(draw(st.sampled_from(_SCALES)) for _ in range(dims))
        factors = tuple(f if int(s * f) >= 1 else 1.0 for s, f in zip(spatial, factors))  # no empty axis
        one_for_all = all(int(s * factors[0]) >= 1 for s in spatial) and draw(st.booleans())
        kwargs["scale_factor"] = factors[0] if one_for_all else factors
        kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True]))
    return shape, kwargs


def _torch_gradient_is_right(shape, kwargs):
    """PyTorch 2.x's own backward disagrees with its forward (its gradcheck fails) in two corners:
    "nearest" on 3-D and 5-D inputs with a non-integer scale_factor kept as the step, and "bicubic"
    on an axis whose size does not change.  There only the forward is compared (ours is gradchecked)."""
    factors = kwargs.get("scale_factor")
    kept_step = factors is not None and not kwargs.get("recompute_scale_factor")
    if kwargs["mode"] == "nearest" and len(shape) != 4 and kept_step:
        return False
    if kwargs["mode"] == "bicubic":
        out = F.interpolate(minidl.zeros(*shape), **kwargs).shape
        return all(a != b for a, b in zip(shape[2:], out[2:]))
    return True


@settings(max_examples=40)
@given(cfg=interpolate_configs())
def test_interpolate_gradcheck_and_torch(cfg):
    shape, kwargs = cfg
    inputs = check_op(lambda t: F.interpolate(t, **kwargs), [shape], gradgrad=False)
    torch = pytest.importorskip("torch")
    assert compare_with_torch(lambda t: F.interpolate(t, **kwargs), lambda t: torch.nn.functional.interpolate(t, **kwargs),
                              inputs, rtol=1e-10, atol=1e-12, check_backward=_torch_gradient_is_right(shape, kwargs))


@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(2, 12), st.integers(2, 12)),
       size=st.tuples(st.integers(1, 6), st.integers(2, 6)), align_corners=st.booleans(),
       mode=st.sampled_from(["bilinear", "bicubic"]))
def test_antialias_matches_torch(shape, size, align_corners, mode):
    """antialias=True when shrinking (and growing, where it is the plain filter again).  Output
    width ≥ 2: PyTorch 2.x's anti-aliased kernel growing the height of a width-1 output disagrees
    with its own two-pass composition (a kernel bug); ours is gradchecked there too."""
    torch = pytest.importorskip("torch")
    kwargs = dict(size=size, mode=mode, align_corners=align_corners, antialias=True)
    inputs = check_op(lambda t: F.interpolate(t, **kwargs), [shape], gradgrad=False)
    assert compare_with_torch(lambda t: F.interpolate(t, **kwargs), lambda t: torch.nn.functional.interpolate(t, **kwargs),
                              inputs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_second_derivatives(mode):
    """The backward Functions are each other's adjoints, so create_graph=True works."""
    check_op(lambda t: F.interpolate(t, scale_factor=(1.5, 0.7), mode=mode), [(1, 2, 4, 5)], gradgrad=True)


def test_nearest_integer_factor_repeats_pixels():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    y = F.interpolate(minidl.tensor(x), scale_factor=3).numpy()
    np.testing.assert_array_equal(y, x.repeat(3, axis=2).repeat(3, axis=3))


def test_modules_and_aliases_match_torch():
    torch = pytest.importorskip("torch")
    (x,) = random_inputs([(2, 3, 4, 5)])
    pairs = [(nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (nn.Upsample(size=(3, 7), mode="bilinear"), torch.nn.Upsample(size=(3, 7), mode="bilinear")),
             (nn.UpsamplingNearest2d(scale_factor=1.5), torch.nn.UpsamplingNearest2d(scale_factor=1.5)),
             (nn.UpsamplingBilinear2d(size=(7, 3)), torch.nn.UpsamplingBilinear2d(size=(7, 3)))]
    for ours, theirs in pairs:
        assert compare_with_torch(ours, theirs, [x], rtol=1e-10, atol=1e-12)
        assert repr(ours) == repr(theirs)
    with pytest.warns(UserWarning, match="deprecated"):
        y = F.upsample_bilinear(x, scale_factor=2)
    np.testing.assert_allclose(y.detach().numpy(), F.interpolate(x, scale_factor=2, mode="bilinear",
                                                                 align_corners=True).detach().numpy())
    with pytest.warns(UserWarning, match="deprecated"):
        assert F.upsample_nearest(x, size=3).shape == (2, 3, 3, 3)
    with pytest.warns(UserWarning, match="deprecated"):
        assert F.upsample(x, scale_factor=0.5, mode="bilinear").shape == (2, 3, 2, 2)


def test_errors_as_pytorch():
    x = minidl.zeros(1, 2, 4, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option can only be set with the interpolating modes"):
        F.interpolate(x, scale_factor=2, align_corners=False)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful with an explicit size"):
        F.interpolate(x, size=3, recompute_scale_factor=True)
    with pytest.raises(NotImplementedError, match="got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, size=3, mode="linear")
    with pytest.raises(ValueError, match="anti-alias option is restricted to bilinear and bicubic"):
        F.interpolate(x, size=3, antialias=True)
    with pytest.raises(ValueError, match=r"needs an output size with 2 entries, got size=\(3, 3, 3\)"):
        F.interpolate(x, size=(3, 3, 3))
    with pytest.raises(RuntimeError, match="output sizes should be greater than 0"):
        F.interpolate(x, scale_factor=0.2)
    with pytest.raises(NotImplementedError, match="mode must be one of"):
        F.interpolate(x, size=3, mode="cubic")
    with pytest.raises(RuntimeError, match="mode 'bilinear' needs a floating-point input, got int64"):
        F.interpolate(minidl.arange(16).reshape(1, 1, 4, 4), size=3, mode="bilinear")
    assert F.interpolate(minidl.arange(4).reshape(1, 1, 2, 2), scale_factor=2).dtype == minidl.int64  # nearest: any dtype


@pytest.mark.parametrize("mode, shape", [("nearest", (0, 2, 3, 4)), ("bilinear", (0, 2, 3, 4)),
                                         ("linear", (0, 1, 5)), ("trilinear", (0, 1, 2, 3, 4))])
def test_empty_batch(mode, shape):
    """N = 0 gives an empty output of the resized shape and an empty gradient, as in PyTorch."""
    x = minidl.zeros(*shape, requires_grad=True)
    y = F.interpolate(x, scale_factor=1.5, mode=mode)
    y.sum().backward()
    assert y.shape == (0, shape[1]) + tuple(int(s * 1.5) for s in shape[2:]) and x.grad.shape == x.shape
