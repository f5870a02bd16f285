"""minidl.utils.tensorboard: the event files it writes read back with the values logged.

Read with a small TFRecord reader over tensorboardX's protocol buffers (and, when the tensorboard
package is installed, with its own EventAccumulator too)."""
import glob
import importlib.util
import struct
import sys

import numpy as np
import pytest

import minidl
from minidl import nn

needs_tensorboardx = pytest.mark.skipif(importlib.util.find_spec("tensorboardX") is None,
                                        reason="tensorboardX is not installed (pip install \"minidl[tensorboard]\")")


def read_events(log_dir):
    """Every Event in the event files of ``log_dir`` (TFRecord: length, crc, payload, crc)."""
    from tensorboardX.proto.event_pb2 import Event

    events = []
    for path in sorted(glob.glob(f"{log_dir}/events.out.tfevents.*")):
        data = open(path, "rb").read()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack("<Q", data[offset:offset + 8])
            payload = data[offset + 12:offset + 12 + length]
            offset += 12 + length + 4
            events.append(Event.FromString(payload))
    return events


def scalars(events):
    return [(e.step, v.tag, v.simple_value) for e in events for v in e.summary.value if v.HasField("simple_value")]


def small_net():
    minidl.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))


@needs_tensorboardx
def test_scalars_round_trip(tmp_path):
    from minidl.utils.tensorboard import SummaryWriter

    losses = [2.5, 1.25, 0.625]
    with SummaryWriter(str(tmp_path)) as writer:
        for step, loss in enumerate(losses):
            writer.add_scalar("loss/train", minidl.tensor(loss), step)  # a minidl tensor
        writer.add_scalar("lr", np.float32(0.1), 0)                      # a NumPy scalar
        writer.add_scalars("acc", {"train": 0.9, "test": minidl.tensor([0.8])}, 2)
    got = scalars(read_events(tmp_path))
    assert [(s, v) for s, tag, v in got if tag == "loss/train"] == list(enumerate(losses))
    assert [v for _, tag, v in got if tag == "lr"] == [pytest.approx(0.1)]
    # add_scalars writes one sub-run folder per key (tensorboardX: acc/train, PyTorch: acc_train)
    sub = {p.split("/")[-1]: scalars(read_events(p)) for p in glob.glob(f"{tmp_path}/acc/*")}
    assert sub["train"][0][2] == pytest.approx(0.9) and sub["test"][0][2] == pytest.approx(0.8)


@needs_tensorboardx
def test_histogram_images_hparams_and_graph(tmp_path):
    from minidl.utils.tensorboard import SummaryWriter

    model = small_net()
    writer = SummaryWriter(str(tmp_path))
    weights = model[0].weight
    writer.add_histogram("conv/weight", weights, 1)
    writer.add_image("one", minidl.rand(1, 8, 8), 1)
    writer.add_images("batch", minidl.rand(4, 1, 8, 8), 1)
    writer.add_graph(model, minidl.randn(2, 1, 6, 6))
    writer.add_hparams({"lr": 0.1, "optimizer": "sgd"}, {"hparam/accuracy": minidl.tensor(0.75)})
    writer.close()  # flush() does not wait for tensorboardX's writer thread; close() does
    events = read_events(tmp_path)
    histogram = next(v.histo for e in events for v in e.summary.value if v.tag == "conv/weight")
    array = weights.detach().numpy()
    assert histogram.num == array.size and histogram.sum == pytest.approx(float(array.sum()), rel=1e-5)
    assert histogram.min == pytest.approx(float(array.min())) and histogram.max == pytest.approx(float(array.max()))
    images = {v.tag: v.image for e in events for v in e.summary.value if v.HasField("image")}
    assert (images["one"].height, images["one"].width) == (8, 8)
    assert images["batch"].width > 8  # the four images tiled into one grid

    from tensorboardX.proto.graph_pb2 import GraphDef

    graph = GraphDef.FromString(next(e.graph_def for e in events if e.graph_def))
    by_name = {node.name: node for node in graph.node}
    conv = [n for n in graph.node if n.op == "Conv2dFunction"]
    assert len(conv) == 1 and conv[0].name.startswith("0/")  # grouped under the module "0"
    assert "0.weight" in conv[0].input and "input/input.0" in conv[0].input
    linear_ops = [n for n in graph.node if n.name.startswith("3/")]
    assert linear_ops and "3.weight" in by_name and by_name["3.weight"].op == "Variable"
    for node in graph.node:  # every edge points at a node of the graph
        assert all(name in by_name for name in node.input)

    hparam_runs = [p for p in glob.glob(f"{tmp_path}/*") if not p.split("/")[-1].startswith("events")]
    assert any(v == pytest.approx(0.75) for run in hparam_runs for _, tag, v in scalars(read_events(run)))


@needs_tensorboardx
def test_tensorboards_own_reader_agrees(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    from minidl.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(3):
            writer.add_scalar("loss", minidl.tensor(1.0 / (step + 1)), step)
    accumulator = event_accumulator.EventAccumulator(str(tmp_path))
    accumulator.Reload()
    assert [(s.step, s.value) for s in accumulator.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]


def test_missing_tensorboardx_names_the_extra(monkeypatch):
    from minidl.utils import tensorboard

    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import tensorboardX now raises ImportError
    with pytest.raises(ImportError, match=r"tensorboardX.*minidl\[tensorboard\]"):
        tensorboard.SummaryWriter("unused")


@needs_tensorboardx
def test_add_scalar_rejects_a_non_scalar(tmp_path):
    from minidl.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path)) as writer, pytest.raises(ValueError, match="scalar_value.*shape"):
        writer.add_scalar("x", minidl.ones(3), 0)
