"""Stochastic depth (F.drop_path, nn.DropPath, nn.drop_path_schedule) and the efficient-CNN blocks
(nn.SqueezeExcite, nn.MixedConv2d, nn.GhostModule): float64 finite-difference checks, and forward
plus input and parameter gradients against timm's layers of the same names with the same weights."""
from functools import partial

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
import minidl.nn.functional as F
from minidl import nn
from minidl.gradcheck import gradcheck
from minidl.models.mobilenet import make_divisible
from minidl.testing import check_op, random_inputs
from tests import oracles

# ------------------------------------------------------------------------------------ drop path


@given(shape=st.sampled_from([(4, 3), (3, 2, 2, 2), (5, 1, 3)]), p=st.sampled_from([0.25, 0.5]),
       scale_by_keep=st.booleans())
def test_drop_path_gradcheck_with_fixed_seed(shape, p, scale_by_keep):
    def fn(x):
        minidl.manual_seed(7)  # the same per-sample mask for every finite-difference evaluation
        return F.drop_path(x, p, training=True, scale_by_keep=scale_by_keep)

    check_op(fn, [shape])


def test_drop_path_drops_whole_samples():
    minidl.manual_seed(1)
    y = F.drop_path(minidl.ones(4000, 3, 2, 2), 0.3, training=True).numpy().reshape(4000, -1)
    dropped, kept = (y == 0).all(1), np.isclose(y, 1 / 0.7).all(1)
    assert np.all(dropped | kept)
    assert abs(dropped.mean() - 0.3) < 0.03
    unscaled = F.drop_path(minidl.ones(50, 4), 0.5, training=True, scale_by_keep=False).numpy()
    assert set(np.unique(unscaled)) <= {0.0, 1.0}


def test_drop_path_gradient_uses_the_same_mask():
    x = minidl.randn(30, 4, dtype=minidl.float64, requires_grad=True)
    y = F.drop_path(x, 0.5, training=True)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, y.detach().numpy() != 0)


def test_drop_path_identity_cases_and_errors():
    x = minidl.randn(3, 4)
    assert F.drop_path(x, 0.5, training=False) is x and F.drop_path(x, 0.0, training=True) is x
    assert not F.drop_path(x, 1.0, training=True).numpy().any()
    assert F.drop_path(x.to(minidl.float32), 0.5, training=True).dtype == minidl.float32
    with pytest.raises(ValueError, match="drop_path: p must be a probability between 0 and 1, got 1.5"):
        F.drop_path(x, 1.5, training=True)
    with pytest.raises(RuntimeError, match="batch dimension"):
        F.drop_path(minidl.tensor(1.0), 0.5, training=True)


def test_drop_path_module_trains_and_evaluates():
    layer = nn.DropPath(0.5)
    assert repr(layer) == "DropPath(drop_prob=0.500)"
    x = minidl.ones(200, 2)
    assert (layer(x).numpy() == 0).any()
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="DropPath: drop_prob must be a probability"):
        nn.DropPath(-0.1)


def test_drop_path_matches_timm_in_distribution():
    """timm's drop_path on the same input: both keep whole samples at rate 1 − p, scaled by 1/(1 − p)."""
    torch = oracles.torch()
    oracles.timm()
    from timm.layers import drop_path as timm_drop_path

    torch.manual_seed(0)
    theirs = timm_drop_path(torch.ones(4000, 3), 0.25, training=True).numpy()
    ours = F.drop_path(minidl.ones(4000, 3), 0.25, training=True).numpy()
    for y in (ours, theirs):
        np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.75], rtol=1e-6)
        assert abs((y[:, 0] == 0).mean() - 0.25) < 0.03


def test_drop_path_schedule_is_linear_in_depth():
    assert nn.drop_path_schedule(0.2, 4) == pytest.approx([0.0, 0.05, 0.1, 0.15])
    assert nn.drop_path_schedule(0.3, 0) == []
    with pytest.raises(ValueError, match="drop_path_rate must be a probability"):
        nn.drop_path_schedule(2.0, 4)
    with pytest.raises(ValueError, match="num_blocks must be a non-negative integer"):
        nn.drop_path_schedule(0.2, 2.5)


# ------------------------------------------------------------------- modules against timm


def _compare_with_timm(ours, theirs, shape, dtype=np.float64, rtol=1e-7, atol=1e-9):
    """Same weights → same output, input gradient and parameter gradients."""
    torch = oracles.torch()
    theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    ours.to(minidl.float64 if dtype == np.float64 else minidl.float32)
    ours.load_state_dict(minidl.models.from_torch(theirs.state_dict()))
    rng = np.random.default_rng(0)
    x_np = rng.uniform(-2, 2, shape).astype(dtype)
    x = minidl.tensor(x_np, requires_grad=True)
    tx = torch.from_numpy(x_np.copy()).requires_grad_()
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol, err_msg="output")
    upstream = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(minidl.tensor(upstream))
    ty.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol, err_msg="input gradient")
    their_params = dict(theirs.named_parameters())
    for key, param in ours.named_parameters():
        expected = their_params[key].grad.numpy()
        np.testing.assert_allclose(param.grad.numpy(), expected, rtol=rtol, atol=atol, err_msg=key)
    return ours


def _gradcheck_module(module, shape):
    module.to(minidl.float64)
    gradcheck(module, random_inputs([shape], low=-2, high=2))


def test_squeeze_excite_reduction_rule():
    """EfficientNet's "se0.25" on a ×6 block: 0.25 of the *input* width, i.e. rd_ratio 0.25/6 of 96 → 4."""
    assert nn.SqueezeExcite(96, rd_ratio=0.25 / 6).conv_reduce.out_channels == 4
    assert nn.SqueezeExcite(72, 0.25, rd_round_fn=partial(make_divisible, divisor=4)).conv_reduce.out_channels == 20
    assert nn.SqueezeExcite(10, rd_channels=3).conv_expand.in_channels == 3
    with pytest.raises(ValueError, match="reduced width must be at least 1"):
        nn.SqueezeExcite(4, rd_ratio=0.1)


@pytest.mark.parametrize("kind", ["efficientnet", "ghostnet"])
def test_squeeze_excite_gradcheck_and_timm(kind):
    timm = oracles.timm()
    torch = oracles.torch()
    from timm.models._efficientnet_blocks import SqueezeExcite as TimmSE

    if kind == "efficientnet":  # SiLU inside, sigmoid gate
        ours = nn.SqueezeExcite(12, rd_ratio=0.25, act_layer=nn.SiLU)
        theirs = TimmSE(12, rd_ratio=0.25, act_layer=torch.nn.SiLU)
    else:  # ReLU inside, hard-sigmoid gate, width a multiple of 4
        ours = nn.SqueezeExcite(12, 0.25, gate_layer=nn.Hardsigmoid, rd_round_fn=partial(make_divisible, divisor=4))
        theirs = TimmSE(12, 0.25, gate_layer="hard_sigmoid", rd_round_fn=partial(timm.layers.make_divisible, divisor=4))
    _compare_with_timm(ours, theirs, (2, 12, 3, 4))
    _gradcheck_module(ours, (2, 12, 3, 2))


def test_mixed_conv_splits_channels_like_timm():
    assert nn.efficient_blocks.split_channels(10, 3) == [4, 3, 3]
    layer = nn.MixedConv2d(10, 10, [3, 5, 7], stride=2, depthwise=True)
    assert [conv.kernel_size for conv in layer] == [(3, 3), (5, 5), (7, 7)]
    assert [conv.in_channels for conv in layer] == [4, 3, 3] and all(c.groups == c.in_channels for c in layer)
    assert layer(minidl.randn(1, 10, 9, 9)).shape == (1, 10, 5, 5)
    with pytest.raises(ValueError, match="at least as many channels"):
        nn.MixedConv2d(2, 2, [3, 5, 7])
    with pytest.raises(ValueError, match="depthwise needs out_channels == in_channels"):
        nn.MixedConv2d(6, 12, [3, 5], depthwise=True)
    with pytest.raises(ValueError, match="only supported with stride 1"):
        nn.MixedConv2d(6, 6, [3, 5], stride=2, padding="same")
    with pytest.raises(RuntimeError, match=r"expected input \(N, 6, H, W\)"):
        nn.MixedConv2d(6, 6, [3, 5])(minidl.randn(1, 5, 4, 4))


@pytest.mark.parametrize("kernel_size,stride,depthwise,channels", [
    ([3, 5, 7], 2, True, (7, 7)),   # MixNet's mixed depthwise layer
    ([3, 5], 1, True, (6, 6)),
    ([1, 1], 1, False, (6, 10)),    # MixNet's grouped 1×1 expansion
])
def test_mixed_conv_gradcheck_and_timm(kernel_size, stride, depthwise, channels):
    oracles.timm()
    from timm.layers import MixedConv2d as TimmMixedConv2d

    c_in, c_out = channels
    ours = nn.MixedConv2d(c_in, c_out, kernel_size, stride, depthwise=depthwise)
    theirs = TimmMixedConv2d(c_in, c_out, kernel_size, stride, depthwise=depthwise)
    _compare_with_timm(ours, theirs, (2, c_in, 7, 6))
    _gradcheck_module(ours, (1, c_in, 5, 5))


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("out_chs,act", [(13, "relu"), (8, "identity")])
def test_ghost_module_gradcheck_and_timm(mode, out_chs, act):
    """An odd out_chs checks the cut of the concatenated maps; train mode checks BN on both halves."""
    torch = oracles.torch()
    oracles.timm()
    from timm.models.ghostnet import GhostModule as TimmGhostModule

    ours = nn.GhostModule(5, out_chs, act_layer=nn.ReLU if act == "relu" else nn.Identity)
    theirs = TimmGhostModule(5, out_chs, act_layer=torch.nn.ReLU if act == "relu" else torch.nn.Identity)
    getattr(ours, mode)()
    getattr(theirs, mode)()
    ours = _compare_with_timm(ours, theirs, (3, 5, 4, 4), rtol=1e-6, atol=1e-8)
    assert ours(minidl.randn(2, 5, 4, 4, dtype=minidl.float64)).shape == (2, out_chs, 4, 4)
    _gradcheck_module(ours, (2, 5, 3, 3))


def test_ghost_module_bad_ratio():
    with pytest.raises(ValueError, match="ratio must be at least 2"):
        nn.GhostModule(4, 8, ratio=1)
