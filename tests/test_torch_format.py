"""PyTorch checkpoint files (.pt/.pth) cross the boundary both ways, without PyTorch installed on
the reading side and without running pickled code."""
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import minidl
from minidl.serialization import CheckpointError

BLOCK_TORCH = "import sys; sys.modules['torch'] = None\n"  # `import torch` now fails in this process


def _torch_checkpoint(path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    state = {
        "model": {"w": torch.randn(3, 4), "b": torch.arange(5), "half": torch.ones(2, dtype=torch.float16),
                  "flag": torch.tensor([True, False]), "t": torch.randn(4, 3).t(), "slice": torch.arange(10.0)[3:7],
                  "empty": torch.zeros(0, 2), "scalar": torch.tensor(2.5, dtype=torch.float64)},
        "param": torch.nn.Parameter(torch.ones(2)), "epoch": 3, "lr": 0.1, "names": ["a", "b"], "shape": (2, 3),
    }
    torch.save(state, path)
    return state


def test_torch_save_is_read_without_torch_and_without_running_code(tmp_path):
    state = _torch_checkpoint(tmp_path / "ckpt.pth")
    code = BLOCK_TORCH + (
        "import json, minidl\n"
        f"obj = minidl.load({str(tmp_path / 'ckpt.pth')!r})\n"
        "print(json.dumps({k: [str(v.dtype), v.tolist()] for k, v in obj['model'].items()}))\n"
        "print(json.dumps([obj['epoch'], obj['lr'], obj['names'], list(obj['shape']), obj['param'].tolist(), obj['param'].requires_grad]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    model, rest = (json.loads(line) for line in result.stdout.splitlines())
    for key, tensor in state["model"].items():
        dtype, values = model[key]
        assert dtype == str(tensor.dtype).replace("torch.", "")
        np.testing.assert_array_equal(np.array(values, dtype=tensor.numpy().dtype).reshape(tensor.shape), tensor.numpy())
    assert rest == [3, 0.1, ["a", "b"], [2, 3], [1.0, 1.0], True]


def test_minidl_writes_what_torch_load_weights_only_opens(tmp_path):
    torch = pytest.importorskip("torch")
    state = {"w": minidl.randn(3, 4), "b": minidl.arange(5), "mask": minidl.tensor([True, False]),
             "count": minidl.tensor(3), "scalar": minidl.tensor(2.5),
             "h": minidl.ones(2, dtype=minidl.float16), "nested": {"epoch": 7, "lr": 1e-3, "shape": (2, 3), "big": 2**40,
                                                                  "none": None, "names": ["x"]}}
    minidl.save(state, tmp_path / "out.pth", format="torch")
    loaded = torch.load(tmp_path / "out.pth", weights_only=True)
    for key in ("w", "b", "mask", "h", "count", "scalar"):
        np.testing.assert_array_equal(loaded[key].numpy(), state[key].numpy())
        assert tuple(loaded[key].shape) == tuple(state[key].shape)  # 0-d stays 0-d
        assert str(loaded[key].dtype).replace("torch.", "") == str(state[key].dtype).replace("minidl.", "")
    assert loaded["nested"] == {"epoch": 7, "lr": 1e-3, "shape": (2, 3), "big": 2**40, "none": None, "names": ["x"]}
    again = minidl.load(tmp_path / "out.pth")  # and back
    np.testing.assert_array_equal(again["w"].numpy(), state["w"].numpy())


def test_a_pytorch_state_dict_loads_into_the_minidl_model_and_gives_the_same_logits(tmp_path):
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent / "models"))
    from torch_reference import LeNet5

    torch.manual_seed(0)
    theirs = LeNet5().eval()
    torch.save(theirs.state_dict(), tmp_path / "lenet.pth")
    ours = minidl.models.lenet5().eval()
    ours.load_state_dict(minidl.load(tmp_path / "lenet.pth"))
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(minidl.tensor(x)).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


def _archive(path, pickle_bytes, storages=()):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        archive.writestr("archive/byteorder", "little")
        for key, raw in storages:
            archive.writestr(f"archive/data/{key}", raw)


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    evil = b"\x80\x02cos\nsystem\nX" + len(f"touch {marker}").to_bytes(4, "little") + f"touch {marker}".encode() + b"\x85R."
    _archive(tmp_path / "evil.pth", evil)
    with pytest.raises(CheckpointError, match="refusing to load os.system"):
        minidl.load(tmp_path / "evil.pth")
    assert not marker.exists()


def test_corrupt_torch_files_get_clear_errors(tmp_path):
    minidl.save({"w": minidl.ones(4)}, tmp_path / "ok.pth", format="torch")
    with zipfile.ZipFile(tmp_path / "ok.pth") as archive:
        pickle_bytes = archive.read("archive/data.pkl")
    _archive(tmp_path / "short.pth", pickle_bytes, [("0", np.ones(2, np.float32).tobytes())])  # 2 of 4 elements
    with pytest.raises(CheckpointError, match="holds 2 elements, expected 4"):
        minidl.load(tmp_path / "short.pth")
    _archive(tmp_path / "missing.pth", pickle_bytes)
    with pytest.raises(CheckpointError, match="storage '0' is missing"):
        minidl.load(tmp_path / "missing.pth")
    _archive(tmp_path / "cut.pth", pickle_bytes[:20])
    with pytest.raises(CheckpointError, match="is corrupt"):
        minidl.load(tmp_path / "cut.pth")
    with pytest.raises(ValueError, match="format must be 'npz' or 'torch'"):
        minidl.save({}, tmp_path / "x", format="pickle")


@pytest.mark.parametrize("offset,size,stride", [(0, (2,), (-4_000_000,)), (0, (3,), (-1,)), (-2, (2,), (1,)),
                                                (0, (2, 2), (1, -3))])
def test_negative_strides_or_offsets_are_refused_not_read_outside_the_storage(tmp_path, monkeypatch, offset, size,
                                                                               stride):
    """A crafted file must not make as_strided read memory before the storage (a crash, or leaked memory)."""
    from minidl import torch_format

    write_tensor = torch_format._Writer.tensor

    def crafted(self, value):
        position = len(self.out.getvalue())
        write_tensor(self, value)
        # rewrite the geometry: offset, size and stride follow the persistent id
        pickled = self.out.getvalue()[position:]
        honest = torch_format._Writer()
        honest.write(0), honest.write((4,)), honest.write((1,))
        lying = torch_format._Writer()
        lying.write(offset), lying.write(size), lying.write(stride)
        assert pickled.count(honest.out.getvalue()) == 1
        rest = self.out.getvalue()[:position] + pickled.replace(honest.out.getvalue(), lying.out.getvalue())
        self.out.seek(0), self.out.truncate(), self.out.write(rest)

    monkeypatch.setattr(torch_format._Writer, "tensor", crafted)
    minidl.save({"x": minidl.arange(4).float()}, tmp_path / "crafted.pt", format="torch")
    monkeypatch.setattr(torch_format._Writer, "tensor", write_tensor)
    with pytest.raises(CheckpointError, match="negative or malformed"):
        minidl.load(tmp_path / "crafted.pt")


def test_torch_save_protocol_2_sets_and_bytes_and_numpy_bools(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"s": {1, 2}, "b": b"\x00\xffab", "f": frozenset([3])}, tmp_path / "set.pt")
    assert minidl.load(tmp_path / "set.pt") == {"s": {1, 2}, "b": b"\x00\xffab", "f": frozenset([3])}
    minidl.save({"v": np.bool_(True)}, tmp_path / "b.pt", format="torch")
    assert torch.load(tmp_path / "b.pt", weights_only=True) == {"v": True}
