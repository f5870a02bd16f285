"""The profiler reports every layer and op of a step, without double counting, and leaves no trace."""
import minidl
from minidl import nn
from minidl.autograd import Function


def test_profile_reports_layers_and_ops():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 2))
    x = minidl.randn(8, 1, 8, 8)
    with minidl.utils.profile(model) as prof:
        loss = model(x).sum()
        loss.backward()
    assert [name for name, _ in prof.layer_order] == ["0", "1", "2", "3", "4"]
    assert all(prof.layer_forward[name] > 0 for name, _ in prof.layer_order)
    assert "0" not in prof.layer_backward  # the first layer's input needs no gradient: no end marker
    assert prof.layer_backward["4"] > 0 and prof.layer_backward["1"] > 0
    assert prof.op_calls["Conv2dFunction"] == 1 and prof.op_backward["Conv2dFunction"] > 0
    exclusive_total = sum(prof.op_forward.values()) + sum(prof.op_backward.values())
    assert exclusive_total <= prof.wall * 1.05  # nested ops are not counted twice
    text = str(prof)
    assert "Conv2d" in text and "MaxPool2dFunction" in text


def test_profile_restores_everything():
    original_call, original_run = Function.__call__, minidl.autograd.run_backward
    model = nn.Linear(3, 1)
    with minidl.utils.profile(model):
        model(minidl.randn(2, 3)).sum().backward()
    assert Function.__call__ is original_call and minidl.autograd.run_backward is original_run
    assert not model._forward_hooks and not model._forward_pre_hooks
    from minidl.functions.conv import Conv2dFunction

    assert Conv2dFunction.backward.__qualname__ == "Conv2dFunction.backward"


def test_profile_without_model_times_ops_only():
    x = minidl.randn(10, requires_grad=True)
    with minidl.utils.profile() as prof:
        (x.exp() * 2).sum().backward()
    assert prof.op_calls["Exp"] == 1 and not prof.layer_order


def test_memory_helpers():
    assert minidl.utils.peak_rss_mib() >= minidl.utils.current_rss_mib() * 0.5 > 0
    assert minidl.utils.tune_malloc() in (True, False)
