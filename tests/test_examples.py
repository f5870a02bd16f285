"""The LeNet example end to end: it learns, it is deterministic, and --resume after an
interruption ends exactly where an uninterrupted run ends.  Uses a slice of the real MNIST when
MINIDL_DATA points at it, and generated digit-like images otherwise."""
import importlib.util
import os
import pathlib

import numpy as np
import pytest

import minidl
from minidl.data import MNIST, FashionMNIST
from minidl.data.datasets import mnist as mnist_module
from minidl.data.datasets.idx import write_idx

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated_digits(folder, n_train=2000, n_test=500, seed=0):
    """Ten classes of 28×28 images: a fixed random pattern of 4×4 blocks per class, shifted by up
    to one pixel and noised — learnable, but not by a constant."""
    rng = np.random.default_rng(seed)
    blocks = (rng.uniform(0, 1, (10, 7, 7)) > 0.7).astype(np.float64)
    prototypes = blocks.repeat(4, axis=1).repeat(4, axis=2)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n)
        shifts = rng.integers(-1, 2, (n, 2))
        images = np.stack([np.roll(prototypes[c], tuple(s), axis=(0, 1)) for c, s in zip(labels, shifts)])
        images = np.clip(images * 200 + rng.normal(0, 30, images.shape), 0, 255)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images.astype(np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels.astype(np.uint8))


@pytest.fixture
def data_root(tmp_path_factory, monkeypatch):
    real = os.environ.get("MINIDL_DATA")
    if real and (pathlib.Path(real) / "mnist" / "train-images-idx3-ubyte.gz").exists():
        return real
    root = tmp_path_factory.mktemp("generated")
    _generated_digits(root / "mnist")
    _generated_digits(root / "fashion-mnist", seed=1)
    monkeypatch.setattr(MNIST, "resources", {})  # generated files have no published checksum
    monkeypatch.setattr(FashionMNIST, "resources", {})
    monkeypatch.setattr(mnist_module, "_CACHE", {})
    return str(root)


def _args(data_root, *extra):
    return ["--data-dir", data_root, "--train-limit", "512", "--test-limit", "500", "--batch-size", "64",
            "--quiet", *extra]


def _weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_smoke_training_learns(data_root):
    example = _load_example("train_lenet_mnist")
    _, history = example.main(_args(data_root, "--epochs", "2", "--train-limit", "2000"))
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["test_acc"] > 0.7  # chance is 0.1


def test_val_split_reports_validation_each_epoch_and_test_once(data_root, tmp_path):
    example = _load_example("train_lenet_mnist")
    _, history = example.main(_args(data_root, "--epochs", "2", "--val-split", "0.25", "--plot", str(tmp_path / "c.png")))
    assert all("val_acc" in h and "val_loss" in h for h in history)
    assert "test_acc" not in history[0] and 0 <= history[-1]["test_acc"] <= 1  # the test set: once, at the end
    train, val = example.validation_split(list(range(100)), list(range(100)), 0.2, seed=0)
    assert len(train) == 80 and len(val) == 20 and not set(train.indices) & set(val.indices)
    with pytest.raises(ValueError, match="--val-split"):
        example.validation_split([1, 2], [1, 2], 1.0, seed=0)


def test_fashion_example_validates_on_unaugmented_held_out_images(data_root):
    example = _load_example("train_fashion_mnist")
    _, history = example.main(["--data-dir", data_root, "--width", "4", "--epochs", "1", "--train-limit", "256",
                               "--val-split", "0.25", "--batch-size", "64", "--quiet"])
    assert "val_acc" in history[0] and "test_acc" in history[-1]


def test_classic_lenet_is_the_1998_form():
    model = minidl.models.lenet5(classic=True)
    kinds = [type(m).__name__ for m in model.features]
    assert kinds == ["Conv2d", "ScaledTanh", "Subsampling", "ScaledTanh"] * 2
    assert sum(p.numel() for p in model.parameters()) == 61_706 + 2 * (6 + 16)  # a coefficient and a bias per map
    squash = model.features[1](minidl.tensor([1.0, -1.0, 0.0])).numpy()
    np.testing.assert_allclose(squash, [1.0, -1.0, 0.0], atol=2e-4)  # f(±1) = ±1 (LeCun 1998, Appendix A)
    x = minidl.randn(1, 6, 4, 4)
    pool = model.features[2]
    with minidl.no_grad():
        pool.weight.array[:] = 0.5
        pool.bias.array[:] = 1.0
        expected = 0.5 * x.numpy().reshape(1, 6, 2, 2, 2, 2).sum(axis=(3, 5)) + 1.0
        np.testing.assert_allclose(pool(x).numpy(), expected, rtol=1e-5)  # coefficient · (sum of 2×2) + bias


def test_same_seed_same_result(data_root):
    example = _load_example("train_lenet_mnist")
    _, first = example.main(_args(data_root, "--epochs", "1", "--seed", "3"))
    _, second = example.main(_args(data_root, "--epochs", "1", "--seed", "3"))
    assert first[0]["test_acc"] == second[0]["test_acc"] and first[0]["train_loss"] == second[0]["train_loss"]


def test_resume_after_interruption_matches_uninterrupted_run(data_root, tmp_path, monkeypatch):
    example = _load_example("train_lenet_mnist")
    straight, _ = example.main(_args(data_root, "--epochs", "3", "--save", str(tmp_path / "straight.npz")))

    interrupted_path = str(tmp_path / "interrupted.npz")
    original_train_epoch = example.train_epoch

    def crash_in_epoch_two(model, optimizer, scheduler, loader, label, quiet=False):
        if label.startswith("epoch 2/"):
            for step, _ in enumerate(loader):  # part of the epoch runs, then the process "dies"
                if step == 3:
                    raise KeyboardInterrupt("killed mid-epoch")
        return original_train_epoch(model, optimizer, scheduler, loader, label, quiet)

    monkeypatch.setattr(example, "train_epoch", crash_in_epoch_two)
    with pytest.raises(KeyboardInterrupt):
        example.main(_args(data_root, "--epochs", "3", "--save", interrupted_path))
    monkeypatch.setattr(example, "train_epoch", original_train_epoch)
    assert minidl.load(interrupted_path)["epoch"] == 1  # the last complete epoch was saved
    resumed, history = example.main(_args(data_root, "--epochs", "3", "--resume", interrupted_path, "--save", interrupted_path))
    assert [h["epoch"] for h in history] == [1, 2, 3]
    for key, value in _weights(straight).items():
        np.testing.assert_array_equal(_weights(resumed)[key], value, err_msg=key)


def test_transfer_learning_trains_only_the_new_head(data_root, monkeypatch):
    example = _load_example("transfer_learning")
    trained_counts = []
    original = example.fine_tune

    def spy(backbone, args, label):
        accuracy = original(backbone, args, label)
        trained_counts.append(sum(p.grad is not None for p in backbone.parameters()))
        return accuracy

    monkeypatch.setattr(example, "fine_tune", spy)
    transferred, baseline = example.main(["--data-dir", data_root, "--train-limit", "512", "--epochs", "1", "--quiet"])
    assert trained_counts == [0, 0]  # the frozen backbones never received a gradient
    assert 0.0 <= baseline <= 1.0 and 0.0 <= transferred <= 1.0


def test_plot_writes_a_png(data_root, tmp_path):
    pytest.importorskip("matplotlib")
    example = _load_example("train_lenet_mnist")
    example.main(_args(data_root, "--epochs", "2", "--plot", str(tmp_path / "curves.png")))
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_visualize_lenet_writes_its_pictures(data_root, tmp_path):
    pytest.importorskip("matplotlib")
    example = _load_example("visualize_lenet")
    written = example.main(["--data-dir", data_root, "--epochs", "1", "--train-limit", "512", "--quiet", "--out", str(tmp_path)])
    names = sorted(pathlib.Path(p).name for p in written)
    assert names == ["curves.png", "feature_maps_conv1.png", "feature_maps_conv2.png", "filters.png", "saliency.png"]
    assert all(pathlib.Path(p).read_bytes()[:4] == b"\x89PNG" for p in written)


def test_grad_cam_example_writes_heat_maps(data_root, tmp_path):
    pytest.importorskip("matplotlib")
    example = _load_example("grad_cam")
    heat = example.main(["--data-dir", data_root, "--train-limit", "512", "--quiet", "--target", "3",
                         "--out", str(tmp_path / "cam.png")])
    assert set(heat) == {"features.0", "features.3"} and heat["features.0"].shape == (10, 28, 28)
    assert (tmp_path / "cam.png").read_bytes()[:4] == b"\x89PNG"


def test_gradient_flow_example_vanishing_is_the_initialisation(data_root, tmp_path):
    example = _load_example("gradient_flow")
    flows = example.main(["--data-dir", data_root, "--depth", "20", "--batch-size", "16", "--out", str(tmp_path / "flow.png")])
    first_over_last = {label: flow[0][1] / flow[-1][1] for label, flow in flows.items()}
    assert first_over_last["plain"] < 1e-4             # vanished after 20 plain blocks at PyTorch's default scale
    # the same plain stack at He's scale keeps a healthy ratio (0.09–0.4 across runs), 1e9 times the default's
    assert 0.01 < first_over_last["plain, He init"] < 100
    assert first_over_last["residual"] > 0.1           # carried through by the identity paths


def test_degradation_example_runs_and_reports_every_network():
    example = _load_example("degradation")
    results = example.main(["--depths", "2", "--steps", "5", "--lrs", "0.05", "--seeds", "0"])
    assert set(results) == {(2, "plain"), (2, "residual")}
    assert all(0 <= r["error"] <= 1 and r["loss"] > 0 and r["ratio"] > 0 for r in results.values())


def _before_cnns_args(data_root, out, *extra):
    return ["--data-dir", data_root, "--train-limit", "400", "--test-limit", "200", "--quadratic-limit", "100",
            "--slow-limit", "100", "--knn-limit", "200", "--epochs", "1", "--out", str(out), *extra]


def test_before_cnns_table_and_confusion_pictures(data_root, tmp_path):
    """A few of the models on a tiny subset: the table has their rows, the linear model beats
    ZeroR, and the two confusion-matrix pictures are written."""
    pytest.importorskip("matplotlib")
    example = _load_example("before_cnns")
    rows, predictions = example.main(_before_cnns_args(data_root, tmp_path, "--max-iter", "60", "--only", "ZeroR",
                                                       "Multinomial", "logistic", "LeNet-5"))
    names = [row[0] for row in rows]
    assert names[0] == "ZeroR" and names[-1].startswith("LeNet-5") and len(rows) == 4
    accuracy = {name.split()[0]: row[2] for name, row in zip(names, rows)}
    assert accuracy["logistic"] > accuracy["ZeroR"] + 0.3
    assert all(len(p) == 200 for p in predictions.values())
    table = (tmp_path / "before_cnns_mnist.md").read_text()
    assert "| logistic regression (softmax, C=1) | 400 |" in table and "| ZeroR | 400 |" in table
    for picture in ("confusion_logistic_mnist.png", "confusion_lenet5_mnist.png"):
        assert (tmp_path / picture).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_before_cnns_runs_every_model(data_root, tmp_path):
    example = _load_example("before_cnns")
    rows, _ = example.main(_before_cnns_args(data_root, tmp_path))
    assert len(rows) == 13 and all(0 <= row[2] <= 1 for row in rows)
