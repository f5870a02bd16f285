"""minidl.inspect: captured activations and gradients are the right tensors; DOT names every op."""
import numpy as np
import pytest

import minidl
from minidl import nn


def _model():
    minidl.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def test_capture_records_the_right_activation_and_gradient():
    model = _model()
    x = minidl.randn(5, 4)
    with minidl.inspect.capture(model, ["0", "1"]) as seen:
        loss = (model(x) ** 2).sum()
        loss.backward()
    expected_hidden = x.numpy() @ model[0].weight.detach().numpy().T + model[0].bias.detach().numpy()
    np.testing.assert_allclose(seen.activations["0"].numpy(), expected_hidden, rtol=1e-5)
    np.testing.assert_allclose(seen.activations["1"].numpy(), np.maximum(expected_hidden, 0), rtol=1e-5)
    # dL/d(relu output) = 2·y @ W2, computed independently
    y = model(x).detach().numpy()
    np.testing.assert_allclose(seen.gradients["1"].numpy(), 2 * y @ model[2].weight.detach().numpy(), rtol=1e-4)
    stats = seen.statistics()
    assert 0.0 <= stats["1"]["activation_zero_fraction"] <= 1.0 and stats["1"]["gradient_norm"] > 0
    assert "ReLU" in seen.report()
    assert not model[0]._forward_hooks  # hooks removed on exit


def test_capture_unknown_layer_is_named():
    with pytest.raises(KeyError, match="no layer named 'conv9'"):
        minidl.inspect.capture(_model(), ["conv9"])


def test_gradient_flow_shows_vanishing_gradients_in_a_deep_sigmoid_net():
    minidl.manual_seed(0)
    layers = []
    for _ in range(12):
        layers += [nn.Linear(16, 16), nn.Sigmoid()]
    deep = nn.Sequential(*layers, nn.Linear(16, 1))
    deep(minidl.randn(32, 16)).sum().backward()
    flow = minidl.inspect.gradient_flow(deep)
    assert [name for name, _ in flow][0] == "0.weight"
    assert flow[0][1] < flow[-2][1] / 100  # the first layer receives a vanishing share


def test_to_dot_names_every_op_with_shapes():
    x = minidl.randn(2, 3, requires_grad=True)
    w = minidl.randn(3, 4, requires_grad=True)
    loss = (x @ w).relu().sum()
    dot = minidl.inspect.to_dot(loss)
    for op in ("MatMul", "ReLU", "Sum"):
        assert op in dot
    assert "(2, 4)" in dot and dot.count("leaf") == 2 and dot.startswith("digraph")
    loss.backward()
    with pytest.raises(RuntimeError, match="freed by backward"):
        minidl.inspect.to_dot(loss)
