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


def test_zeros_and_dead_units_are_different_numbers():
    """zeros = share of values that are 0 (ReLU sparsity); dead = share of units 0 for every input."""
    minidl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    with minidl.no_grad():
        model[0].bias.array[:2] = -100.0  # units 0 and 1 can never fire on these inputs: dead
    x = minidl.randn(64, 4)
    with minidl.inspect.capture(model, ["1"]) as seen:
        model(x)
    out = seen.activations["1"].numpy()
    stats = seen.statistics()["1"]
    assert stats["activation_zero_fraction"] == pytest.approx((out == 0).mean())
    assert stats["activation_dead_fraction"] == pytest.approx(2 / 8)
    assert stats["activation_zero_fraction"] > stats["activation_dead_fraction"]  # live units have zeros too

    conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())  # on a map, a unit is a channel
    with minidl.no_grad():
        conv[0].bias.array[3] = -100.0
    with minidl.inspect.capture(conv, ["1"]) as seen:
        conv(minidl.randn(8, 1, 6, 6))
    stats = seen.statistics()["1"]
    assert stats["activation_dead_fraction"] == pytest.approx(1 / 4)
    assert 0.25 < stats["activation_zero_fraction"] < 1
    header, line = seen.report().splitlines()
    assert "zeros" in header and "dead" in header and "25.0%" in line


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


# --- saliency and Grad-CAM -------------------------------------------------------------------

def _small_cnn():
    minidl.manual_seed(1)
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, stride=2), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(5, 3)).double()


def _torch_copy(model):
    torch = pytest.importorskip("torch")
    twin = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 5, 3, stride=2),
                               torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Dropout(0.5),
                               torch.nn.Linear(5, 3)).double().eval()
    twin.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    return torch, twin


def test_grad_cam_matches_the_definition_computed_with_torch():
    model = _small_cnn()
    torch, twin = _torch_copy(model)
    x = np.random.default_rng(0).normal(size=(3, 2, 9, 9))
    target = [0, 2, 1]
    cam = minidl.inspect.grad_cam(model, minidl.tensor(x), "2", target=target)
    # The same recipe written out with torch: α_k = mean ∂y_c/∂A_k, ReLU(Σ α_k A_k), bilinear up, max 1.
    maps = twin[:3](torch.from_numpy(x))
    logits = twin[3:](maps)
    (grad,) = torch.autograd.grad(logits[torch.arange(3), torch.tensor(target)].sum(), maps)
    expected = torch.relu((grad.mean((2, 3), keepdim=True) * maps).sum(1, keepdim=True))
    expected = torch.nn.functional.interpolate(expected, size=(9, 9), mode="bilinear", align_corners=False)[:, 0]
    expected = expected / expected.flatten(1).max(1).values.clamp_min(1e-300)[:, None, None]
    np.testing.assert_allclose(cam, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert cam.shape == (3, 9, 9) and cam.max() <= 1


def test_saliency_matches_torch_and_leaves_the_model_as_it_was():
    model = _small_cnn()
    torch, twin = _torch_copy(model)
    x = np.random.default_rng(1).normal(size=(2, 2, 9, 9))
    model.train()
    heat = minidl.inspect.saliency(model, minidl.tensor(x))  # target None: the predicted class
    assert model.training and all(p.grad is None for p in model.parameters())
    xt = torch.from_numpy(x).requires_grad_(True)
    logits = twin(xt)
    logits[torch.arange(2), logits.argmax(1)].sum().backward()
    expected = xt.grad.abs().amax(1)
    expected = expected / expected.flatten(1).max(1).values[:, None, None]
    np.testing.assert_allclose(heat, expected.numpy(), rtol=1e-9)


def test_attribution_errors_name_the_argument():
    model = _small_cnn()
    x = minidl.randn(2, 2, 9, 9, dtype=minidl.float64)
    with pytest.raises(KeyError, match="no layer named 'conv7'"):
        minidl.inspect.grad_cam(model, x, "conv7")
    with pytest.raises(ValueError, match="'5' gives \\(2, 5\\)"):
        minidl.inspect.grad_cam(model, x, "5")  # Flatten: no feature maps
    with pytest.raises(ValueError, match="target: class indices must lie in \\[0, 3\\)"):
        minidl.inspect.saliency(model, x, target=3)
    with pytest.raises(ValueError, match="images: expected a Tensor of shape \\(N, C, H, W\\)"):
        minidl.inspect.saliency(model, minidl.randn(2, 9, 9))


def test_grad_cam_of_a_trained_lenet_lies_on_the_digit():
    """LeNet-5 trained for one short epoch on real MNIST: most of the Grad-CAM mass of conv1 (the
    layer whose maps are aligned with the image) lies on the digit's strokes."""
    import os
    import pathlib

    root = os.environ.get("MINIDL_DATA")
    if not root or not (pathlib.Path(root) / "mnist").is_dir():
        pytest.skip("needs the real MNIST files (set MINIDL_DATA)")
    from minidl.data import DataLoader, MNIST, Subset
    from minidl.data import transforms as T

    normalize = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    minidl.manual_seed(0)
    model = minidl.models.lenet5()
    optimizer = minidl.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for images, labels in DataLoader(Subset(MNIST(root, train=True, transform=normalize), range(6000)), 64, shuffle=True, seed=0):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    test_set = MNIST(root, train=False, transform=normalize)
    images = minidl.stack([test_set[i][0] for i in range(100)])
    ink = images.numpy()[:, 0] > images.numpy().min() + 1e-3
    padded = np.pad(ink, ((0, 0), (1, 1), (1, 1)))
    digit = np.any([padded[:, dy:dy + 28, dx:dx + 28] for dy in range(3) for dx in range(3)], axis=0)  # strokes ± 1 px
    cam = minidl.inspect.grad_cam(model, images, "features.0")
    mass = (cam * digit).sum(axis=(1, 2)) / cam.sum(axis=(1, 2))
    assert digit.mean() < 0.35          # the digit region is about a quarter of the image...
    assert np.median(mass) > 0.6        # ...but holds most of the heat
    uniform = np.ones_like(cam)         # the same statistic for a map that ignores the image
    assert np.median((uniform * digit).sum(axis=(1, 2)) / uniform.sum(axis=(1, 2))) < 0.35


# --- pictures --------------------------------------------------------------------------------

def _is_png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


def test_pictures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    model = _small_cnn()
    x = minidl.randn(3, 2, 9, 9, dtype=minidl.float64)
    inspect = minidl.inspect
    with inspect.capture(model, ["1"]) as seen:
        model(x).sum().backward()
    paths = [
        inspect.plot_filters(model[0].weight, tmp_path / "filters.png"),
        inspect.plot_filters(minidl.randn(4, 3, 5, 5), tmp_path / "rgb_filters.png"),
        inspect.plot_feature_maps(seen.activations["1"], tmp_path / "maps.png"),
        inspect.plot_history([dict(epoch=e, train_loss=1 / e, test_loss=1.1 / e, train_acc=0.5, test_acc=0.4) for e in (1, 2)],
                             tmp_path / "curves.png"),
        inspect.plot_gradient_flow({"a": inspect.gradient_flow(model), "b": inspect.gradient_flow(model)}, tmp_path / "flow.png"),
        inspect.plot_heatmaps(x, inspect.saliency(model, x), tmp_path / "saliency.png", titles=["a", "b", "c"]),
        inspect.plot_heatmaps(x, {"conv 0": inspect.grad_cam(model, x, "0"), "conv 2": inspect.grad_cam(model, x, "2")},
                              tmp_path / "two_rows.png"),
    ]
    assert all(_is_png(path) for path in paths)
    with pytest.raises(ValueError, match="weight: expected \\(C_out, C_in, kh, kw\\)"):
        inspect.plot_filters(minidl.randn(4, 5), tmp_path / "bad.png")
    with pytest.raises(ValueError, match="must agree"):
        inspect.plot_heatmaps(x, np.zeros((3, 8, 8)), tmp_path / "bad.png")


def test_pictures_without_matplotlib_say_what_to_install(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="need matplotlib, which is not installed: pip install matplotlib"):
        minidl.inspect.plot_filters(minidl.randn(2, 1, 3, 3), tmp_path / "f.png")
