"""Checkpoints: round trip, atomic writes, clear errors, no pickle."""
import os
import pickle

import numpy as np
import pytest

import minidl
from minidl.serialization import CheckpointError


def test_round_trip_of_nested_structures(tmp_path):
    obj = {
        "tensor": minidl.randn(2, 3),
        "grad_tensor": minidl.ones(2, requires_grad=True),
        "array": np.arange(4, dtype=np.int32),
        "numbers": [1, 2.5, True, None, float("inf")],
        "tuple": ("a", 3),
        "nested": {0: {"x": minidl.zeros(1, dtype=minidl.float64)}},
        "rng": minidl.get_rng_state(),
    }
    minidl.save(obj, tmp_path / "ck.npz")
    back = minidl.load(tmp_path / "ck.npz")
    np.testing.assert_array_equal(back["tensor"].numpy(), obj["tensor"].numpy())
    assert back["tensor"].dtype == minidl.float32
    assert back["grad_tensor"].requires_grad
    assert back["array"].dtype == np.int32 and isinstance(back["array"], np.ndarray)
    assert back["numbers"] == [1, 2.5, True, None, float("inf")]
    assert back["tuple"] == ("a", 3)
    assert back["nested"][0]["x"].dtype == minidl.float64
    assert back["rng"] == obj["rng"]


def test_files_are_plain_npz_without_pickle(tmp_path):
    minidl.save({"w": minidl.ones(2)}, tmp_path / "ck.npz")
    archive = np.load(tmp_path / "ck.npz", allow_pickle=False)
    assert all(archive[k].dtype != object for k in archive.files)


def test_interrupted_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    minidl.save({"epoch": 1, "w": minidl.ones(3)}, path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut while writing")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        minidl.save({"epoch": 2, "w": minidl.zeros(3)}, path)
    monkeypatch.undo()
    assert minidl.load(path)["epoch"] == 1
    assert [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")] == []  # no half-written leftovers


def test_truncated_file_gives_clear_error(tmp_path):
    path = tmp_path / "ck.npz"
    minidl.save({"w": minidl.randn(100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated, corrupted or another format"):
        minidl.load(path)


def test_foreign_files_are_refused(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.ones(2))
    with pytest.raises(CheckpointError, match="not a minidl checkpoint"):
        minidl.load(tmp_path / "other.npz")
    (tmp_path / "pickle.pt").write_bytes(pickle.dumps({"evil": 1}))
    with pytest.raises(CheckpointError):
        minidl.load(tmp_path / "pickle.pt")
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        minidl.load(tmp_path / "missing.npz")


def test_unsupported_objects_are_named(tmp_path):
    with pytest.raises(TypeError, match=r"cannot store object at obj\['bad'\]"):
        minidl.save({"bad": object()}, tmp_path / "ck.npz")


def test_object_arrays_in_a_crafted_file_are_not_unpickled(tmp_path):
    good = tmp_path / "good.npz"
    minidl.save({"w": minidl.ones(1)}, good)
    structure = np.load(good)["__minidl_structure__"]
    crafted = tmp_path / "crafted.npz"
    np.savez(crafted, __minidl_structure__=structure, a0=np.array([{"payload": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="not a readable minidl checkpoint"):
        minidl.load(crafted)  # NumPy refuses the object array because allow_pickle=False
    strings = tmp_path / "strings.npz"
    np.savez(strings, __minidl_structure__=structure, a0=np.array([b"x"]))
    with pytest.raises(CheckpointError, match="unsupported dtype"):
        minidl.load(strings)


def test_map_location(tmp_path, device):
    minidl.save({"w": minidl.ones(2)}, tmp_path / "ck.npz")
    assert minidl.load(tmp_path / "ck.npz", map_location=device)["w"].device == minidl.device(device)
