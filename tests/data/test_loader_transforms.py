"""DataLoader order, determinism, drop_last, prefetch; Dataset helpers; transforms by hand."""
import threading

import numpy as np
import pytest

import minidl
from minidl.data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset, random_split
from minidl.data import transforms as T


class Numbers(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i], dtype=np.float32), i


def _order(loader):
    return [int(v) for _, labels in loader for v in labels.tolist()]


def test_sequential_batches_and_last_partial_batch():
    loader = DataLoader(Numbers(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [len(b[1]) for b in batches] == [4, 4, 2]
    assert _order(loader) == list(range(10))
    x, y = batches[0]
    assert x.shape == (4, 1) and x.dtype == minidl.float32 and y.dtype == minidl.int64


def test_drop_last():
    loader = DataLoader(Numbers(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b[1]) for b in loader] == [4, 4]


def test_seeded_shuffle_is_reproducible_and_changes_per_epoch():
    a = DataLoader(Numbers(50), batch_size=8, shuffle=True, seed=3)
    b = DataLoader(Numbers(50), batch_size=8, shuffle=True, seed=3)
    first, second = _order(a), _order(a)
    assert first == _order(b) and second == _order(b)
    assert sorted(first) == list(range(50)) and first != second and first != list(range(50))


def test_set_epoch_replays_an_epoch():
    loader = DataLoader(Numbers(30), batch_size=4, shuffle=True, seed=1)
    orders = [_order(loader) for _ in range(3)]
    loader.set_epoch(1)
    assert _order(loader) == orders[1]


def test_unseeded_loader_follows_manual_seed():
    minidl.manual_seed(9)
    a = _order(DataLoader(Numbers(20), batch_size=5, shuffle=True))
    minidl.manual_seed(9)
    assert _order(DataLoader(Numbers(20), batch_size=5, shuffle=True)) == a


def test_prefetch_runs_in_a_background_thread():
    seen_threads = set()

    class Recording(Numbers):
        def __getitem__(self, i):
            seen_threads.add(threading.current_thread().name)
            return super().__getitem__(i)

    prefetched = DataLoader(Recording(12), batch_size=4, prefetch=2)
    assert _order(prefetched) == list(range(12))
    assert seen_threads == {"minidl-prefetch"}
    seen_threads.clear()
    assert _order(DataLoader(Recording(12), batch_size=4, prefetch=0)) == list(range(12))
    assert seen_threads == {threading.current_thread().name}


def test_prefetch_stops_cleanly_when_the_consumer_breaks_off():
    loader = DataLoader(Numbers(1000), batch_size=2, prefetch=3)
    for _ in loader:
        break
    assert all(t.name != "minidl-prefetch" or not t.is_alive() for t in threading.enumerate())


def test_errors_in_the_prefetch_thread_reach_the_caller():
    class Broken(Numbers):
        def __getitem__(self, i):
            raise ValueError(f"sample {i} is broken")

    with pytest.raises(ValueError, match="sample 0 is broken"):
        list(DataLoader(Broken(4), batch_size=2))


def test_worker_threads_keep_order():
    assert _order(DataLoader(Numbers(40), batch_size=7, shuffle=True, seed=0, num_workers=3)) == \
        _order(DataLoader(Numbers(40), batch_size=7, shuffle=True, seed=0))


def test_tensor_dataset_batches_without_python_loop():
    images, labels = minidl.randn(10, 1, 2, 2), minidl.arange(10)
    dataset = TensorDataset(images, labels)
    x, y = next(iter(DataLoader(dataset, batch_size=3)))
    np.testing.assert_array_equal(x.numpy(), images.numpy()[:3])
    assert y.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(minidl.zeros(3), minidl.zeros(4))


def test_subset_concat_and_random_split():
    data = Numbers(10)
    assert Subset(data, [3, 1])[1][1] == 1
    both = ConcatDataset([Numbers(3), Numbers(2)])
    assert len(both) == 5 and both[4][1] == 1
    parts = random_split(data, [7, 3], seed=0)
    assert [len(p) for p in parts] == [7, 3]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    assert [len(p) for p in random_split(data, [0.5, 0.5], seed=0)] == [5, 5]
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(data, [4, 5])


def test_to_tensor_and_normalize():
    image = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    tensor = T.ToTensor()(image)
    assert tensor.shape == (1, 2, 2) and tensor.dtype == minidl.float32
    np.testing.assert_allclose(tensor.numpy()[0], [[0.0, 1.0], [0.2, 0.4]], rtol=1e-6)
    normalized = T.Normalize((0.5,), (0.25,))(tensor)
    np.testing.assert_allclose(normalized.numpy()[0], [[-2.0, 2.0], [-1.2, -0.4]], rtol=1e-6)
    rgb = T.ToTensor()(np.zeros((4, 5, 3), dtype=np.uint8))
    assert rgb.shape == (3, 4, 5)


def test_pad_and_crops():
    image = np.arange(9, dtype=np.uint8).reshape(3, 3)
    padded = T.Pad(1)(image)
    assert padded.shape == (5, 5) and padded[0].tolist() == [0] * 5 and padded[1].tolist() == [0, 0, 1, 2, 0]
    assert T.Pad((1, 2))(image).shape == (7, 5)  # (left/right, top/bottom)
    assert T.CenterCrop(1)(image).tolist() == [[4]]
    crop = T.RandomCrop(3, padding=1, seed=0)
    out = crop(image)
    assert out.shape == (3, 3)
    window_found = any(np.array_equal(out, padded[i:i + 3, j:j + 3]) for i in range(3) for j in range(3))
    assert window_found


def test_random_transforms_are_seedable():
    image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    first = [T.RandomCrop(2, seed=5)(image).tolist() for _ in range(1)]
    assert first == [T.RandomCrop(2, seed=5)(image).tolist()]
    minidl.manual_seed(1)
    a = [T.RandomHorizontalFlip()(image).tolist() for _ in range(5)]
    minidl.manual_seed(1)
    assert a == [T.RandomHorizontalFlip()(image).tolist() for _ in range(5)]


def test_flip_on_arrays_and_tensors():
    image = np.array([[1, 2, 3]], dtype=np.uint8)
    assert T.RandomHorizontalFlip(p=1.0)(image).tolist() == [[3, 2, 1]]
    tensor = T.ToTensor()(image)
    assert (T.RandomHorizontalFlip(p=1.0)(tensor).numpy() * 255).round().tolist() == [[[3, 2, 1]]]


def test_resize_bilinear_by_hand():
    image = np.array([[0.0, 4.0], [8.0, 12.0]], dtype=np.float32)
    up = T.Resize((4, 4))(image)
    # half-pixel centres: output x = 0.25 samples input −0.25 → clamped to 0; 0.75 → 0.25
    assert up[0].tolist() == [0.0, 1.0, 3.0, 4.0]
    assert up[:, 0].tolist() == [0.0, 2.0, 6.0, 8.0]
    assert T.Resize(8)(np.zeros((4, 6), dtype=np.uint8)).shape == (8, 12)


def test_resize_matches_torch_bilinear():
    torch = pytest.importorskip("torch")
    image = np.random.default_rng(0).uniform(0, 1, (3, 5, 7)).astype(np.float32)
    for antialias in (True, False):  # torchvision's default antialiases when shrinking (here the width 7 → 4)
        ours = T.Resize((9, 4), antialias=antialias)(minidl.tensor(image)).numpy()
        theirs = torch.nn.functional.interpolate(torch.from_numpy(image)[None], size=(9, 4), mode="bilinear",
                                                 align_corners=False, antialias=antialias)[0].numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_random_erasing():
    tensor = minidl.ones(3, 10, 10)
    erased = T.RandomErasing(p=1.0, value=0.0, seed=0)(tensor).numpy()
    zeros = (erased == 0).all(0)
    assert 0 < zeros.sum() < 100
    rows, cols = np.nonzero(zeros)
    assert zeros[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()  # one rectangle
    assert T.RandomErasing(p=0.0)(tensor) is tensor


def test_pca_color_jitter_shifts_each_image_by_one_rgb_offset():
    tensor = minidl.tensor(np.random.default_rng(0).uniform(0, 1, (3, 4, 4)).astype(np.float32))
    jitter = T.PCAColorJitter(alphastd=0.1, seed=0)
    shifted = jitter(tensor).numpy() - tensor.numpy()
    offset = shifted[:, 0, 0]
    np.testing.assert_allclose(shifted, np.broadcast_to(offset.reshape(3, 1, 1), shifted.shape), atol=1e-6)
    alpha = np.random.default_rng(0).normal(0, 0.1, 3)
    np.testing.assert_allclose(offset, jitter.eigvec @ (alpha * jitter.eigval), rtol=1e-5)
    fitted = T.PCAColorJitter.fit(np.random.default_rng(1).uniform(0, 1, (5, 3, 4, 4)))
    assert fitted.eigval[0] >= fitted.eigval[1] >= fitted.eigval[2]


def test_compose():
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.0,), (0.5,))])
    assert pipeline(np.full((2, 2), 255, dtype=np.uint8)).numpy().max() == pytest.approx(2.0)


def test_five_and_ten_crop_follow_torchvision_order():
    image = np.arange(5 * 6, dtype=np.uint8).reshape(5, 6, 1)  # HWC
    crops = T.FiveCrop((2, 3))(image)
    expected = [image[:2, :3], image[:2, 3:], image[3:, :3], image[3:, 3:], image[2:4, 2:5]]
    # centre: top = round((5 - 2) / 2) = 2 (round half to even), left = round((6 - 3) / 2) = 2
    assert len(crops) == 5 and all(np.array_equal(c, e) for c, e in zip(crops, expected))
    ten = T.TenCrop(2)(minidl.tensor(np.arange(16.0).reshape(1, 4, 4)))
    assert len(ten) == 10 and all(tuple(c.shape) == (1, 2, 2) for c in ten)
    np.testing.assert_array_equal(ten[5].numpy(), np.flip(np.arange(16.0).reshape(1, 4, 4), -1)[:, :2, :2])
    with pytest.raises(ValueError, match="FiveCrop: crop size \\(6, 6\\) is larger than the image \\(4, 4\\)"):
        T.FiveCrop(6)(minidl.zeros(1, 4, 4))
