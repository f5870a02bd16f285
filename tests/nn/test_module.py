"""Module mechanics: registration, state_dict, hooks, modes, devices/dtypes, containers, repr."""
import numpy as np
import pytest

import minidl
from minidl import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2)
        self.register_buffer("counter", minidl.zeros(1))
        self.scale = 2.0  # a plain attribute: not a parameter

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_parameters_buffers_and_modules_are_found_by_attribute():
    model = TwoLayer()
    assert [n for n, _ in model.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in model.named_buffers()] == ["counter"]
    assert [n for n, _ in model.named_modules()] == ["", "fc1", "act", "fc2"]
    assert len(list(model.children())) == 3
    assert sum(p.numel() for p in model.parameters()) == 4 * 3 + 3 + 3 * 2 + 2


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, shared)
    assert len(list(model.parameters())) == 2


def test_state_dict_round_trip_and_detached():
    a, b = TwoLayer(), TwoLayer()
    state = a.state_dict()
    assert list(state) == ["counter", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]  # PyTorch's order
    assert not state["fc1.weight"].requires_grad
    missing, unexpected = b.load_state_dict(state)
    assert missing == [] and unexpected == []
    x = minidl.randn(5, 4)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


def test_load_state_dict_lists_every_problem():
    model = TwoLayer()
    state = model.state_dict()
    state.pop("fc2.bias")
    state["extra.weight"] = minidl.zeros(1)
    state["fc1.weight"] = minidl.zeros(5, 4)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "fc1.weight: checkpoint (5, 4), model (3, 4)" in message
    assert "missing keys: fc2.bias" in message
    assert "unexpected keys: extra.weight" in message
    state["fc1.weight"] = minidl.zeros(3, 4)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["fc2.bias"] and unexpected == ["extra.weight"]
    assert model.fc1.weight.detach().numpy().sum() == 0


def test_train_eval_propagates():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    model.eval()
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_to_dtype_keeps_parameter_identity():
    model = TwoLayer()
    weight = model.fc1.weight
    optimizer = minidl.optim.SGD(model.parameters(), lr=0.1)
    model.to(minidl.float64)
    assert model.fc1.weight is weight and weight.dtype == minidl.float64
    model(minidl.randn(2, 4, dtype=minidl.float64)).sum().backward()
    optimizer.step()
    assert weight.grad.dtype == minidl.float64


def test_zero_grad_and_requires_grad():
    model = TwoLayer()
    model(minidl.randn(2, 4)).sum().backward()
    assert model.fc1.weight.grad is not None
    model.zero_grad()
    assert model.fc1.weight.grad is None
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_apply_for_custom_init():
    model = TwoLayer()

    def init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, 0.5)

    model.apply(init_weights)
    assert model.fc2.weight.detach().numpy().tolist() == [[0.5] * 3] * 2


def test_forward_hooks():
    model = TwoLayer()
    seen = []
    handle = model.fc1.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    model.fc1.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    out = model.fc1(minidl.ones(2, 4))
    assert seen == [(2, 3)]
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(model.fc1.bias.detach().numpy(), (2, 3)))
    handle.remove()
    model.fc1(minidl.ones(2, 4))
    assert len(seen) == 1


def test_full_backward_hook_sees_input_and_output_gradients():
    layer = nn.Linear(3, 2)
    records = []
    layer.register_full_backward_hook(lambda m, gin, gout: records.append((gin, gout)))
    x = minidl.randn(4, 3, requires_grad=True)
    layer(x).sum().backward()
    (grad_input,), (grad_output,) = records[0]
    assert grad_output.tolist() == [[1.0, 1.0]] * 4
    np.testing.assert_allclose(grad_input.numpy(), x.grad.numpy())


def test_full_backward_hook_can_replace_grad_input():
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gin, gout: tuple(g * 0 for g in gin))
    x = minidl.randn(4, 3, requires_grad=True)
    layer(x).sum().backward()
    assert not x.grad.numpy().any()
    assert layer.weight.grad.numpy().any()  # parameter gradients are untouched


def test_full_backward_hook_when_input_needs_no_grad():
    layer = nn.Linear(3, 2)
    records = []
    layer.register_full_backward_hook(lambda m, gin, gout: records.append(gin))
    layer(minidl.randn(4, 3)).sum().backward()
    assert records == [(None,)]


def test_repr_like_pytorch():
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n"
        "  (1): ReLU()\n"
        "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        ")"
    )


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert isinstance(seq[0], nn.Linear) and len(seq) == 3
    assert len(seq[1:]) == 2
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(layers.parameters())) == 6 and isinstance(layers[2], nn.Linear)
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 2)})
    assert [n for n, _ in heads.named_parameters()] == ["a.weight", "a.bias", "b.weight", "b.bias"]
    import collections

    named = nn.Sequential(collections.OrderedDict(conv=nn.Conv2d(1, 1, 1), act=nn.ReLU()))
    assert list(named.state_dict()) == ["conv.weight", "conv.bias"]
    named[0] = nn.Conv2d(1, 2, 1)  # replacing keeps the name, as in PyTorch
    named[-1] = nn.Tanh()
    assert list(named.state_dict()) == ["conv.weight", "conv.bias"] and isinstance(named.act, nn.Tanh)
    assert tuple(named.conv.weight.shape) == (2, 1, 1, 1)
    with pytest.raises(IndexError):
        named[2] = nn.ReLU()


def test_assigning_before_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="call super\\(\\).__init__\\(\\)"):
        Broken()


def test_clip_grad_norm_and_value():
    torch = pytest.importorskip("torch")
    a, b = minidl.nn.Parameter(minidl.tensor([3.0, 0.0])), minidl.nn.Parameter(minidl.tensor([0.0, 4.0]))
    a.grad, b.grad = minidl.tensor([3.0, 0.0]), minidl.tensor([0.0, 4.0])
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    ta, tb = torch.nn.Parameter(torch.tensor([3.0, 0.0])), torch.nn.Parameter(torch.tensor([0.0, 4.0]))
    ta.grad, tb.grad = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 4.0])
    ttotal = torch.nn.utils.clip_grad_norm_([ta, tb], 1.0)
    assert np.isclose(total.item(), ttotal.item())
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-6)
    nn.utils.clip_grad_value_([b], 0.1)
    assert b.grad.numpy().max() <= 0.1


def test_init_functions_match_formulas():
    torch = pytest.importorskip("torch")
    w = minidl.nn.Parameter(minidl.zeros(200, 300))
    for name, kwargs, expected_std in [
        ("xavier_uniform_", {}, np.sqrt(2 / 500)),
        ("xavier_normal_", {}, np.sqrt(2 / 500)),
        ("kaiming_uniform_", dict(nonlinearity="relu"), np.sqrt(2 / 300)),
        ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu"), np.sqrt(2 / 200)),
    ]:
        getattr(nn.init, name)(w, **kwargs)
        assert abs(w.detach().numpy().std() / expected_std - 1) < 0.03, name
    assert nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    assert nn.init.calculate_gain("tanh") == torch.nn.init.calculate_gain("tanh")
