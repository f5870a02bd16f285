"""PyTorch training scripts in the shapes students meet (tests/scripts/*.py, written for PyTorch),
run under PyTorch and under minidl with only their import lines changed, from the same initial
weights (the PyTorch run saves them with ``torch.save``; the minidl run reads that ``.pt`` file with
``torch.load``, i.e. ``minidl.load``).  The losses must track PyTorch's."""
import pathlib
import re
import runpy

import numpy as np
import pytest

SCRIPTS = pathlib.Path(__file__).parent / "scripts"


TORCHVISION = {"datasets": "minidl.data.datasets", "transforms": "minidl.data.transforms", "models": "minidl.models"}


def minidl_imports(source):
    """The script with its import lines pointed at minidl (torchvision's datasets and transforms are
    ``minidl.data``'s, its models ``minidl.models``), and nothing else changed."""
    def swap(match):
        line = match.group(0)
        if re.fullmatch(r"import torch", line):
            return "import minidl as torch"
        vision = re.fullmatch(r"import torchvision\.(\w+) as (\w+)", line)
        if vision:
            return f"import {TORCHVISION[vision.group(1)]} as {vision.group(2)}"
        return re.sub(r"\btorch\b", "minidl", line, count=1)
    return re.sub(r"^(?:import torch\b|from torch\b|import torchvision\.).*$", swap, source, flags=re.M)


def torchvision_standin(source):
    """For the PyTorch run: torchvision's imports from tests/scripts/torchvision_standin.py (minidl's data
    pipeline, torch.nn models with torchvision's layout), so that both runs see the same pixels."""
    return re.sub(r"^import torchvision\.(\w+) as (\w+)$", r"from torchvision_standin import \1 as \2", source,
                  flags=re.M)


def run(name, engine, argv, tmp_path, monkeypatch):
    """Run ``tests/scripts/<name>.py``'s ``main(argv)`` under ``engine`` ("torch" or "minidl")."""
    source = (SCRIPTS / f"{name}.py").read_text()
    if engine == "minidl":
        source = minidl_imports(source)
        assert [line for line in source.splitlines() if "torch" in line and "import" in line and
                "minidl" not in line] == []
    else:  # always the stand-in: torchvision has no CPU build here (and timm's stub may be on sys.path)
        source = torchvision_standin(source)
        monkeypatch.syspath_prepend(str(SCRIPTS))
    path = tmp_path / f"{engine}_{name}.py"
    path.write_text(source)
    monkeypatch.chdir(tmp_path)
    return runpy.run_path(str(path), run_name="script")["main"](argv)


def test_import_swap_changes_only_import_lines():
    source = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nx = torch.zeros(2)\n"
    assert minidl_imports(source) == ("import minidl as torch\nimport minidl.nn as nn\n"
                                      "from minidl.utils.data import DataLoader\nx = torch.zeros(2)\n")


def both(name, argv, tmp_path, monkeypatch):
    """Run the script under PyTorch (saving its initial weights), then under minidl from them."""
    pytest.importorskip("torch")
    init = str(tmp_path / "init.pt")
    theirs = run(name, "torch", argv + ["--save-init", init], tmp_path, monkeypatch)
    ours = run(name, "minidl", argv + ["--init", init], tmp_path, monkeypatch)
    return ours, theirs


def test_mnist_example_with_adadelta_and_steplr(tmp_path, monkeypatch):
    (ours, our_test), (theirs, their_test) = both("mnist_adadelta", ["--dropout", "0", "--save-model"], tmp_path,
                                                  monkeypatch)
    assert len(ours) == len(theirs) == 16
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    np.testing.assert_allclose(our_test, their_test, rtol=1e-4)
    assert their_test[-1] < np.log(10) / 2  # it learned something (both do)
    assert (tmp_path / "mnist_cnn.pt").exists()


def test_mnist_example_runs_with_its_dropout(tmp_path, monkeypatch):
    losses, test_losses = run("mnist_adadelta", "minidl", [], tmp_path, monkeypatch)
    assert np.isfinite(losses).all() and test_losses[-1] < np.log(10)


def test_cifar_notebook_with_a_validation_split(tmp_path, monkeypatch):
    ours, theirs = both("cifar_notebook", ["--dropout", "0"], tmp_path, monkeypatch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert theirs[-1][1] < theirs[0][1]  # the validation loss fell (in both)


def test_cifar_notebook_with_subset_random_samplers_and_dropout(tmp_path, monkeypatch):
    """Random orders and dropout masks differ between engines, so the runs cannot agree step for step:
    both must learn the task and end with validation losses within half the first epoch's of each other."""
    ours, theirs = both("cifar_notebook", ["--shuffle"], tmp_path, monkeypatch)
    assert abs(ours[-1][1] - theirs[-1][1]) < 0.5 * theirs[0][1]
    assert ours[-1][2] > 0.5 and theirs[-1][2] > 0.5  # both learn the task


def test_course_assignment_with_hand_written_sgd(tmp_path, monkeypatch):
    ours, theirs = both("course_sgd", [], tmp_path, monkeypatch)
    for way in ("manual", "no_grad", "data", "logistic"):
        np.testing.assert_allclose(ours[way], theirs[way], rtol=1e-4, err_msg=way)
        assert ours[way][-1] < 0.7 * ours[way][0], way
    np.testing.assert_allclose(ours["manual"], ours["no_grad"], rtol=1e-4)  # autograd = the hand-written backprop
    np.testing.assert_allclose(ours["w"], theirs["w"], rtol=1e-4)
    assert ours["accuracy"] == theirs["accuracy"] > 0.9


def test_textbook_lenet_with_apply_init_and_argmax_axis(tmp_path, monkeypatch):
    (our_shapes, ours), (their_shapes, theirs) = both("textbook_lenet", [], tmp_path, monkeypatch)
    assert our_shapes == their_shapes and our_shapes[-1] == (1, 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


def _image_folders(root, classes=3, per_class=4, seed=0):
    """train/ and val/ folders of small PNGs, one sub-folder per class (a colour per class)."""
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(seed)
    for split in ("train", "val"):
        for label in range(classes):
            folder = root / split / f"class_{label}"
            folder.mkdir(parents=True)
            for index in range(per_class):
                pixels = rng.integers(0, 90, (40, 48, 3))
                pixels[:, :, label] += 150
                Image.fromarray(pixels.astype(np.uint8)).save(folder / f"{index}.png")
    return str(root)


@pytest.mark.parametrize("arch", ["squeezenet1_1", pytest.param("alexnet", marks=pytest.mark.slow)])
def test_imagenet_example_with_image_folder_data_parallel_and_checkpoints(arch, tmp_path, monkeypatch):
    """A zoo model (torchvision's layout) on small crops: 2 epochs from the same weights; then the minidl
    run resumes from its own checkpoint (model, optimizer and scheduler state) for a third epoch.
    (AlexNet's 57 M parameters make its checkpoints 230 MB: slow; SqueezeNet 1.1 runs by default.  Not a
    ResNet: with BatchNorm over 1×1 maps of 4 images its training is chaotic — float64 runs of minidl and
    PyTorch part from 1e-14 to 2e-5 in 9 steps — so no two engines can agree step for step.)"""
    data = _image_folders(tmp_path / "images")
    size = "63"
    argv = [data, "--arch", arch, "--image-size", size, "--num-classes", "3", "--dropout", "0", "--lr", "0.001"]
    ours, theirs = both("imagenet_alexnet", argv, tmp_path, monkeypatch)
    rtol = 1e-4
    for (our_steps, our_val, our_acc), (their_steps, their_val, their_acc) in zip(ours, theirs):
        np.testing.assert_allclose(our_steps, their_steps, rtol=rtol)
        np.testing.assert_allclose(our_val, their_val, rtol=rtol)
        assert float(our_acc) == pytest.approx(float(their_acc))
    assert (tmp_path / "checkpoint.pth.tar").exists() and (tmp_path / "model_best.pth.tar").exists()
    resumed = run("imagenet_alexnet", "minidl", argv + ["--epochs", "3", "--resume", "checkpoint.pth.tar"],
                  tmp_path, monkeypatch)
    assert len(resumed) == 1 and np.isfinite(resumed[0][0]).all()


@pytest.mark.slow
def test_imagenet_example_with_augmentation_runs(tmp_path, monkeypatch):
    data = _image_folders(tmp_path / "images")
    history = run("imagenet_alexnet", "minidl", [data, "--image-size", "63", "--num-classes", "3",
                                                 "--train-augment"], tmp_path, monkeypatch)
    assert len(history) == 2 and np.isfinite(history[-1][1])
