"""PyTorch's names where scripts touch them: torch.utils.data's layout and DataLoader arguments,
samplers, Size, format strings, size=/axis=, method forms, seeds, backends, accelerator,
DataParallel, hub."""
import hashlib
import os
import subprocess
import sys
import urllib.error

import numpy as np
import pytest

import minidl
from minidl.utils.data import (
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler, Subset,
    SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate, get_worker_info, random_split,
)


def _dataset(n=10):
    return TensorDataset(minidl.arange(n).float().unsqueeze(1), minidl.arange(n))


def test_torch_utils_data_layout():
    import minidl.utils.data.dataloader as dataloader_module
    import minidl.utils.data.sampler as sampler_module

    assert sampler_module.SubsetRandomSampler is SubsetRandomSampler and dataloader_module.DataLoader is DataLoader
    assert minidl.utils.data.DataLoader is minidl.data.DataLoader  # one implementation
    assert isinstance(ConcatDataset([_dataset(3), _dataset(2)]), Dataset) and len(Subset(_dataset(), [1, 2])) == 2
    assert [len(s) for s in random_split(_dataset(), [7, 3])] == [7, 3]
    assert default_collate([(1.0, 2), (3.0, 4)])[1].tolist() == [2, 4]


def test_samplers_visit_the_right_indices():
    data = _dataset()
    assert list(SequentialSampler(data)) == list(range(10))
    assert sorted(RandomSampler(data, generator=0)) == list(range(10))
    assert len(list(RandomSampler(data, replacement=True, num_samples=25, generator=1))) == 25
    assert sorted(SubsetRandomSampler([1, 3, 5], generator=2)) == [1, 3, 5]
    assert set(WeightedRandomSampler([0, 0, 1.0, 0], 6, generator=3)) == {2}
    assert list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(BatchSampler(SequentialSampler(range(7)), 3, drop_last=True)) == 2
    with pytest.raises(ValueError, match="num_samples exceeds the non-zero weights"):
        WeightedRandomSampler([1, 0], 2, replacement=False)


def test_dataloader_takes_pytorchs_arguments():
    data = _dataset()
    split = DataLoader(data, batch_size=4, sampler=SubsetRandomSampler([1, 3, 5, 7, 9], generator=0))
    assert sorted(i for batch in split for i in batch[1].tolist()) == [1, 3, 5, 7, 9] and len(split) == 2
    batched = DataLoader(data, batch_sampler=BatchSampler(SequentialSampler(data), 3, True))
    assert [b[1].tolist() for b in batched] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    started = []
    loader = DataLoader(data, batch_size=4, shuffle=True, num_workers=2, collate_fn=default_collate, pin_memory=True,
                        drop_last=True, timeout=30, worker_init_fn=started.append, generator=np.random.default_rng(0),
                        prefetch_factor=2, persistent_workers=True, multiprocessing_context=None, pin_memory_device="",
                        in_order=True)
    assert len(list(loader)) == 2 and sorted(started) == [0, 1]
    assert [s[1].item() for s in DataLoader(data, batch_size=None)][:3] == [0, 1, 2]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(data, sampler=SequentialSampler(data), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(data, batch_size=2, batch_sampler=BatchSampler(SequentialSampler(data), 3, False))
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(data, prefetch_factor=2)


def test_iterable_datasets_and_worker_info():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]

    class WhoLoadsMe(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            info = get_worker_info()
            return -1 if info is None else info.id

    assert set(DataLoader(WhoLoadsMe(), batch_size=2, num_workers=2).__iter__().__next__().tolist()) <= {0, 1}
    assert DataLoader(WhoLoadsMe(), batch_size=4).__iter__().__next__().tolist() == [-1] * 4
    assert get_worker_info() is None


def test_size_format_and_keyword_spellings():
    t = minidl.zeros(64, 10)
    assert repr(t.shape) == "minidl.Size([64, 10])" and t.shape == (64, 10) and isinstance(t.size(), tuple)
    assert t.shape.numel() == 640 and minidl.Size([2, 3]) == (2, 3)
    loss = minidl.tensor(0.123456)
    assert "{:.4f}".format(loss) == "0.1235" and f"{loss:.2f}" == "0.12" and "{}".format(loss) == str(loss.item())
    assert "{}".format(minidl.tensor([1.0, 2.0])).startswith("tensor(")  # not 0-d: printed as a tensor
    assert minidl.rand(size=(1, 2)).shape == (1, 2) and minidl.zeros(size=[3]).shape == (3,)
    with pytest.raises(TypeError, match="unexpected keyword"):
        minidl.ones(2, sze=3)
    x = minidl.arange(6.0).reshape(2, 3)
    assert x.sum(axis=1).tolist() == [3.0, 12.0] and minidl.argmax(x, axis=1).tolist() == [2, 2]
    assert minidl.nn.functional.softmax(x, axis=0).shape == (2, 3) and minidl.cat([x, x], axis=1).shape == (2, 6)
    with pytest.raises(TypeError, match="both dim= and its synonym axis="):
        x.sum(dim=0, axis=1)
    assert x.mm(x.T).shape == (2, 2) and x.unsqueeze(0).bmm(x.T.unsqueeze(0)).shape == (1, 2, 2)
    assert x.index_select(1, minidl.tensor([0, 2])).shape == (2, 2)


def test_initial_seed_is_the_seed_in_use():
    code = "import minidl; print(minidl.initial_seed())"
    seeds = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    assert len(seeds) == 2  # each process draws its own, as PyTorch
    minidl.manual_seed(123)
    assert minidl.initial_seed() == 123


def test_backends_accelerator_and_data_parallel():
    minidl.backends.cudnn.benchmark = True  # accepted, no effect
    minidl.backends.cudnn.deterministic = True
    assert minidl.backends.cudnn.enabled
    assert minidl.accelerator.is_available() == minidl.cuda.is_available()
    if not minidl.cuda.is_available():
        assert minidl.accelerator.current_accelerator() is None and minidl.cuda.device_count() == 0
    model = minidl.nn.Linear(3, 2)
    wrapped = minidl.nn.DataParallel(model)
    assert wrapped.module is model and list(wrapped.state_dict()) == ["module.weight", "module.bias"]
    x = minidl.randn(4, 3)
    np.testing.assert_array_equal(wrapped(x).detach().numpy(), model(x).detach().numpy())
    assert minidl.nn.parallel.DataParallel is minidl.nn.DataParallel
    with pytest.raises(NotImplementedError, match="splitting a batch over 2 GPUs"):
        minidl.nn.DataParallel(model, device_ids=[0, 1])


def test_hub_loads_from_a_file_url_and_the_cache(tmp_path, monkeypatch):
    state = {"weight": minidl.ones(2, 2)}
    minidl.save(state, tmp_path / "w.npz")
    assert minidl.hub.load_state_dict_from_url((tmp_path / "w.npz").as_uri())["weight"].tolist() == [[1.0, 1.0]] * 2
    digest = hashlib.sha256((tmp_path / "w.npz").read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"net-{digest[:8]}.npz").write_bytes((tmp_path / "w.npz").read_bytes())

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network here")

    monkeypatch.setattr(minidl.hub.urllib.request, "urlopen", offline)
    url = f"https://example.invalid/weights/net-{digest[:8]}.npz"
    loaded = minidl.hub.load_state_dict_from_url(url, model_dir=str(cache), check_hash=True)
    assert loaded["weight"].shape == (2, 2)
    (cache / "bad-00000000.npz").write_bytes((tmp_path / "w.npz").read_bytes())
    with pytest.raises(RuntimeError, match="corrupt or not the one published"):
        minidl.hub.load_state_dict_from_url("https://example.invalid/bad-00000000.npz", model_dir=str(cache), check_hash=True)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "no-torch"))
    with pytest.raises(FileNotFoundError, match=r"place the file 'missing.pth' in '.*empty'"):
        minidl.hub.load_state_dict_from_url("https://example.invalid/missing.pth", model_dir=str(tmp_path / "empty"))
    assert not os.path.exists(tmp_path / "empty" / "missing.pth")


def test_data_is_a_tensor_over_the_same_memory_outside_the_graph():
    w = minidl.randn(3, requires_grad=True)
    (w * w).sum().backward()
    before = w.array.copy()
    data = w.data
    assert isinstance(data, minidl.Tensor) and not data.requires_grad and data.is_leaf
    assert data.array is w.array  # shares memory
    w.data -= 0.1 * w.grad.data  # the hand-written SGD step of older tutorials
    np.testing.assert_allclose(w.array, before - 0.1 * 2 * before, rtol=1e-6)
    assert w.requires_grad and w.is_leaf
    values, indices = minidl.max(minidl.tensor([[1.0, 3.0], [4.0, 2.0]]).data, 1)
    assert indices.tolist() == [1, 0] and values.tolist() == [3.0, 4.0]


def test_writes_through_data_are_not_counted_but_detach_writes_are():
    x = minidl.randn(4, requires_grad=True)
    y = x.exp()  # saves its output
    y.data.mul_(1.0)  # PyTorch: .data has its own version counter
    y.sum().backward()
    z = x.exp()
    z.detach().mul_(1.0)  # detach() shares the counter: backward must refuse
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_assigning_data_swaps_the_array():
    t = minidl.zeros(2, 3)
    t.data = minidl.ones(4)
    assert t.shape == (4,) and t.tolist() == [1.0] * 4
    with pytest.raises(TypeError, match="expected a Tensor"):
        t.data = np.ones(2)


def test_to_accepts_pytorchs_keywords_and_backends_cudnn_imports():
    import minidl.backends.cudnn as cudnn

    x = minidl.ones(2)
    assert x.to("cpu", non_blocking=True) is x and x.to(copy=True) is not x
    assert minidl.nn.Linear(2, 2).to("cpu", non_blocking=True).weight.device == x.device
    cudnn.benchmark = True
    assert minidl.backends.cudnn.benchmark and not cudnn.is_available()
