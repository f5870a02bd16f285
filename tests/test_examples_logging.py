"""The examples' progress bars come from tqdm (and fall back to per-epoch lines without it), the
dataset download reports through tqdm, and the LeNet example's --tensorboard writes event files
holding the history it returns."""
import glob
import sys

import pytest

import minidl
from minidl.data import DataLoader, TensorDataset
from tests.test_examples import _args, _load_example, data_root  # noqa: F401  (data_root: a fixture)


def _tiny_run(example):
    """LeNet-5, SGD, a cosine schedule and 4 batches of 8 random images: one fast epoch."""
    minidl.manual_seed(0)
    model = example.lenet5()
    optimizer = minidl.optim.SGD(model.parameters(), lr=0.01)
    scheduler = minidl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    dataset = TensorDataset(minidl.randn(32, 1, 28, 28), minidl.randint(0, 10, (32,)))
    return model, optimizer, scheduler, DataLoader(dataset, batch_size=8)


def test_progress_bar_is_tqdm_with_loss_and_images_per_second(monkeypatch):
    tqdm_auto = pytest.importorskip("tqdm.auto")
    example = _load_example("train_lenet_mnist")
    original, bars = tqdm_auto.tqdm, []

    def recording_bar(*args, **kwargs):
        kwargs["disable"] = False  # pytest's stderr is not a terminal: force the bar on to inspect it
        bars.append(original(*args, **kwargs))
        return bars[-1]

    monkeypatch.setattr(tqdm_auto, "tqdm", recording_bar)
    model, optimizer, scheduler, loader = _tiny_run(example)
    loss, _ = example.train_epoch(model, optimizer, scheduler, loader, "epoch 1/1")
    assert len(bars) == 1 and bars[0].n == bars[0].total == 4 and bars[0].desc == "epoch 1/1"
    postfix = dict(item.split("=") for item in bars[0].postfix.split(", "))
    assert list(postfix) == ["loss", "acc", "img/s"] and float(postfix["loss"]) == pytest.approx(loss, abs=1e-4)
    assert example.progress_bar(4, "x", enabled=False) is None  # --quiet


def test_without_tqdm_no_bar(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import tqdm.auto now raises ImportError
    example = _load_example("train_lenet_mnist")
    assert example.progress_bar(10, "epoch 1/1") is None
    example.train_epoch(*_tiny_run(example), "epoch 1/1")
    assert capsys.readouterr().err == ""


def test_download_bar_is_tqdm_or_one_line(monkeypatch, capsys):
    pytest.importorskip("tqdm.auto")
    from minidl.data.datasets import files

    bar = files._progress(1000, "x.gz")
    assert type(bar).__module__.startswith("tqdm") and bar.total == 1000
    bar.close()
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert files._progress(2_500_000, "x.gz") is None
    assert "downloading x.gz (2.5 MB)" in capsys.readouterr().err


def test_log_epoch_writes_scalars_and_histograms(tmp_path):
    pytest.importorskip("tensorboardX")
    from minidl.utils.tensorboard import SummaryWriter
    from tests.utils.test_tensorboard import read_events, scalars

    example = _load_example("train_lenet_mnist")
    model, optimizer, _, _ = _tiny_run(example)
    record = dict(epoch=3, train_loss=0.5, train_acc=0.8, test_loss=0.6, test_acc=0.75, seconds=1.0)
    with SummaryWriter(str(tmp_path)) as writer:
        example.log_epoch(writer, model, optimizer, record)
    assert scalars(read_events(f"{tmp_path}/accuracy/test")) == [(3, "accuracy", 0.75)]
    tags = {v.tag for e in read_events(tmp_path) for v in e.summary.value}
    assert "lr" in tags and "features.0.weight" in tags


@pytest.mark.slow
def test_tensorboard_flag_writes_the_history(data_root, tmp_path):  # noqa: F811
    pytest.importorskip("tensorboardX")
    from tests.utils.test_tensorboard import read_events, scalars

    example = _load_example("train_lenet_mnist")
    _, history = example.main(_args(data_root, "--epochs", "2", "--tensorboard", str(tmp_path)))
    test_acc = sorted((step, value) for step, _, value in scalars(read_events(f"{tmp_path}/accuracy/test")))
    assert test_acc == [(h["epoch"], pytest.approx(h["test_acc"])) for h in history]
    assert any(e.graph_def for e in read_events(tmp_path))
    assert glob.glob(f"{tmp_path}/loss/train/events.out.tfevents.*")
