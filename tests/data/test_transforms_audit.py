"""The transforms against torchvision's semantics.  torchvision is not installable here, so the
oracles are what torchvision itself calls: PIL (its PIL path), ``torch.nn.functional.interpolate``
(its tensor resize), ``colorsys`` for HSV, and values worked out by hand."""
import colorsys

import numpy as np
import pytest

import minidl
from minidl.data import color_transforms as C
from minidl.data import resample
from minidl.data import transforms as T

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (13, 17, 3), dtype=np.uint8)


@pytest.fixture
def Image():
    return pytest.importorskip("PIL.Image")


# --- ToTensor on PIL images ---------------------------------------------------------------------------
def test_to_tensor_on_every_pil_mode(Image):
    rgb = Image.fromarray(RGB)
    for mode, channels in (("L", 1), ("RGB", 3), ("RGBA", 4), ("LA", 2), ("P", 1)):
        image = rgb.convert(mode)
        tensor = T.ToTensor()(image)
        assert tensor.shape == (channels, 13, 17) and tensor.dtype == minidl.float32
        expected = np.asarray(image).reshape(13, 17, channels).transpose(2, 0, 1) / np.float32(255)
        np.testing.assert_array_equal(tensor.numpy(), expected)
    bits = T.ToTensor()(Image.fromarray(np.array([[True, False]])))
    assert bits.dtype == minidl.float32 and bits.numpy().tolist() == [[[1.0, 0.0]]]
    sixteen = T.ToTensor()(Image.fromarray(np.array([[0, 1000, 40000]], dtype=np.uint16)))
    assert sixteen.dtype == minidl.int16 and sixteen.numpy().tolist() == [[[0, 1000, 40000 - 65536]]]  # unscaled, wraps
    floats = T.ToTensor()(Image.fromarray(np.array([[0.5, 300.0]], dtype=np.float32)))
    assert floats.dtype == minidl.float32 and floats.numpy().tolist() == [[[0.5, 300.0]]]
    assert T.ToTensor()(np.ones((2, 2), dtype=np.float64)).dtype == minidl.float64   # non-uint8 arrays keep their dtype
    with pytest.raises(TypeError, match="PIL image or a NumPy array"):
        T.ToTensor()(minidl.zeros(2, 2))
    assert T.PILToTensor()(rgb).dtype == minidl.uint8


def test_to_pil_image_round_trips(Image):
    tensor = T.ToTensor()(Image.fromarray(RGB))
    back = T.ToPILImage()(tensor)
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), RGB)
    assert T.ToPILImage()(minidl.tensor(np.full((1, 2, 2), 0.5, dtype=np.float32))).getpixel((0, 0)) == 127  # truncated
    assert T.ToPILImage()(RGB[..., :1]).mode == "L" and T.ToPILImage()(np.zeros((2, 2, 4), np.uint8)).mode == "RGBA"
    assert T.ToPILImage()(np.array([[40000]], dtype=np.uint16).astype(np.int16)).getpixel((0, 0)) == 40000
    with pytest.raises(ValueError, match="1 to 4 channels"):
        T.ToPILImage()(np.zeros((2, 2, 5), np.uint8))


# --- Resize: antialiased like torchvision ------------------------------------------------------------
def test_resize_antialias_by_hand():
    stripes = np.tile([0.0, 1.0], (1, 3)).astype(np.float32)          # 1-pixel stripes, width 6 → 2
    # without antialias, output pixel 0 (centre 1.5) reads input pixel 1 only: the stripes alias to 1, 0
    assert T.Resize((1, 2), antialias=False)(stripes).tolist() == [[1.0, 0.0]]
    # with it, the triangle is 3 pixels wide: input centres at distances 1, 0, 1, 2 weigh 2/3, 1, 2/3, 1/3 (÷ 8/3)
    np.testing.assert_allclose(resample.resize_weights(6, 2)[0], [1 / 4, 3 / 8, 1 / 4, 1 / 8, 0, 0])
    np.testing.assert_allclose(T.Resize((1, 2))(stripes), [[0.5, 0.5]])   # the true average
    np.testing.assert_allclose(resample.resize_weights(4, 2), [[3 / 7, 3 / 7, 1 / 7, 0], [0, 1 / 7, 3 / 7, 3 / 7]])
    np.testing.assert_allclose(resample.resize_weights(2, 4), [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]])


def test_resize_matches_torch_interpolate():
    torch = pytest.importorskip("torch")
    interpolate = torch.nn.functional.interpolate
    for shape, size in (((3, 37, 53), (9, 14)), ((2, 1, 20, 30), (31, 7)), ((3, 224, 300), (56, 61))):
        image = RNG.uniform(0, 1, shape).astype(np.float32)
        batched = torch.from_numpy(image.reshape((-1,) + shape[-3:]))
        for mode in ("bilinear", "bicubic"):
            ours = T.Resize(size, interpolation=mode)(minidl.tensor(image)).numpy()
            theirs = interpolate(batched, size=size, mode=mode, antialias=True, align_corners=False).numpy()
            np.testing.assert_allclose(ours, theirs.reshape(ours.shape), atol=2e-6)
        ours = T.Resize(size, interpolation=T.InterpolationMode.NEAREST)(minidl.tensor(image)).numpy()
        np.testing.assert_array_equal(ours, interpolate(batched, size=size, mode="nearest").numpy().reshape(ours.shape))


def test_resize_uint8_and_pil_match_pil(Image):
    for size in ((5, 7), (20, 9), 6):
        ours = T.Resize(size)(RGB)
        out_h, out_w = ours.shape[:2]
        theirs = np.asarray(Image.fromarray(RGB).resize((out_w, out_h), Image.BILINEAR))
        assert ours.dtype == np.uint8 and np.abs(ours.astype(int) - theirs).max() <= 1   # PIL's fixed-point weights
        resized = T.Resize(size)(Image.fromarray(RGB))                                   # PIL in, PIL out
        assert resized.mode == "RGB" and np.array_equal(np.asarray(resized), theirs)
    assert T.Resize(6)(RGB).shape == (6, 7, 3)                     # the short side; long side int(6·17/13)
    assert T.Resize(6, max_size=7)(np.zeros((10, 40))).shape == (1, 7)
    with pytest.raises(ValueError, match="max_size = 6 must be strictly greater"):
        T.Resize(6, max_size=6)(RGB)
    with pytest.raises(ValueError, match="interpolation must be"):
        T.Resize(6, interpolation="cubic")


# --- Pad, crops -----------------------------------------------------------------------------------
def test_pad_modes_by_hand():
    row = np.array([[1, 2, 3]], dtype=np.uint8)
    expected = {"constant": [9, 9, 1, 2, 3, 9, 9], "edge": [1, 1, 1, 2, 3, 3, 3],
                "reflect": [3, 2, 1, 2, 3, 2, 1], "symmetric": [2, 1, 1, 2, 3, 3, 2]}
    for mode, values in expected.items():
        padded = T.Pad((2, 0), fill=9, padding_mode=mode)(row)
        assert padded.tolist() == [values], mode
        tensor = T.Pad((2, 0), fill=9, padding_mode=mode)(minidl.tensor(row[None].astype(np.float32)))
        assert tensor.numpy()[0].tolist() == [values], mode
    rgb = T.Pad((1, 0, 0, 0), fill=(10, 20, 30))(np.zeros((1, 1, 3), dtype=np.uint8))
    assert rgb.tolist() == [[[10, 20, 30], [0, 0, 0]]]
    chw = T.Pad((0, 0, 1, 0), fill=(1, 2))(minidl.zeros(2, 1, 1))
    assert chw.numpy()[:, 0, 1].tolist() == [1, 2]
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        T.Pad(1, padding_mode="wrap")


def test_pad_and_crops_on_pil_images(Image):
    image = Image.fromarray(RGB)
    for mode in ("constant", "edge", "reflect", "symmetric"):
        out = T.Pad((1, 2, 3, 4), fill=5, padding_mode=mode)(image)
        assert out.mode == "RGB" and np.array_equal(np.asarray(out), T.Pad((1, 2, 3, 4), 5, mode)(RGB))
    # CenterCrop: top = round((13 - 5) / 2) = 4, left = round((17 - 6) / 2) = round(5.5) = 6 (half to even)
    assert np.array_equal(np.asarray(T.CenterCrop((5, 6))(image)), RGB[4:9, 6:12])
    grown = T.CenterCrop((15, 20))(image)               # larger than the image: zero padding first
    assert grown.size == (20, 15) and np.array_equal(np.asarray(grown)[1:14, 1:18], RGB)
    assert np.asarray(grown)[0].max() == 0 and np.asarray(grown)[:, -2:].max() == 0
    gray = Image.fromarray(RGB[..., 0]).convert("P")
    assert T.RandomHorizontalFlip(p=1.0)(gray).mode == "P"


def test_random_resized_crop():
    rng = np.random.default_rng(3)
    for _ in range(50):
        top, left, h, w = T.RandomResizedCrop.get_params(RGB, (0.08, 1.0), (3 / 4, 4 / 3), rng)
        assert 0 <= top <= 13 - h and 0 <= left <= 17 - w and 0.08 * 221 * 0.5 <= h * w <= 221
    # no aspect ratio of 2 fits a 13 × 17 crop of area 13·17: the fallback is the centred crop of ratio 2
    assert T.RandomResizedCrop.get_params(RGB, (1.0, 1.0), (2.0, 2.0), rng) == (2, 0, 8, 17)
    crop = T.RandomResizedCrop(5, seed=0)
    expected_params = T.RandomResizedCrop.get_params(RGB, crop.scale, crop.ratio, np.random.default_rng(0))
    top, left, h, w = expected_params
    np.testing.assert_array_equal(crop(RGB), T.Resize((5, 5))(RGB[top:top + h, left:left + w]))
    assert T.RandomResizedCrop((4, 6))(minidl.tensor(RGB.transpose(2, 0, 1) / 255.0)).shape == (3, 4, 6)


# --- rotation -------------------------------------------------------------------------------------
def test_rotation_matches_pil(Image):
    image = Image.fromarray(RGB)
    for angle in (0.0, 17.3, -45.0, 90.0, 133.7):
        for expand in (False, True):
            ours = T.rotate(RGB, angle, "nearest", expand)
            theirs = np.asarray(image.rotate(angle, Image.NEAREST, expand))
            assert ours.shape == theirs.shape and np.array_equal(ours, theirs)
            ours = T.rotate(RGB, angle, "bilinear", expand)
            theirs = np.asarray(image.rotate(angle, Image.BILINEAR, expand))
            assert np.abs(ours.astype(int) - theirs).max() <= 1          # float rounding at truncation
    centred = T.rotate(RGB, 30, center=(5, 7), fill=(10, 20, 30))
    assert np.array_equal(centred, np.asarray(image.rotate(30, Image.NEAREST, center=(5, 7), fillcolor=(10, 20, 30))))
    gray = Image.fromarray(RGB[..., 0])
    assert np.asarray(T.rotate(gray, 45, fill=[200]))[0, 0] == 200 and np.asarray(T.rotate(image, 45, fill=9))[0, 0, 2] == 9
    with pytest.raises(ValueError, match="fill has 2 values but the image has 3 bands"):
        T.rotate(image, 45, fill=(1, 2))
    rotated = T.RandomRotation(30, seed=1)(image)
    angle = np.random.default_rng(1).uniform(-30, 30)
    assert np.array_equal(np.asarray(rotated), np.asarray(image.rotate(angle, Image.NEAREST)))


def test_rotation_by_hand():
    square = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(T.rotate(square, 90), np.rot90(square))          # counter-clockwise
    tensor = T.rotate(minidl.tensor(np.stack([square, -square])), -90, fill=7)
    np.testing.assert_array_equal(tensor.numpy(), np.stack([np.rot90(square, -1), -np.rot90(square, -1)]))
    assert T.rotate(np.ones((4, 6)), 90, expand=True).shape == (6, 4)
    corners = T.rotate(np.ones((5, 5)), 45, fill=0)
    assert corners[0, 0] == 0 and corners[2, 2] == 1
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-3)


# --- colour ---------------------------------------------------------------------------------------
def test_grayscale(Image):
    assert np.array_equal(T.Grayscale()(RGB), np.asarray(Image.fromarray(RGB).convert("L")))
    three = T.Grayscale(3)(Image.fromarray(RGB))
    assert three.mode == "RGB" and np.array_equal(np.asarray(three)[..., 2], np.asarray(Image.fromarray(RGB).convert("L")))
    tensor = minidl.tensor(RGB.transpose(2, 0, 1) / 255.0)
    luma = 0.2989 * tensor.numpy()[0] + 0.587 * tensor.numpy()[1] + 0.114 * tensor.numpy()[2]
    np.testing.assert_allclose(T.Grayscale(3)(tensor).numpy(), np.stack([luma] * 3))
    assert T.RandomGrayscale(p=1.0)(RGB).shape == RGB.shape


def test_colour_adjustments_on_arrays_match_pil(Image):
    image = Image.fromarray(RGB)
    for factor in (0.0, 0.3, 1.0, 1.7):
        for adjust in (C.adjust_brightness, C.adjust_contrast, C.adjust_saturation):
            assert np.array_equal(adjust(RGB, factor), np.asarray(adjust(image, factor))), (adjust.__name__, factor)


def test_colour_adjustments_on_tensors_by_hand():
    rgb = RNG.uniform(0, 1, (3, 4, 5))
    tensor = minidl.tensor(rgb)
    np.testing.assert_allclose(C.adjust_brightness(tensor, 1.5).numpy(), np.clip(1.5 * rgb, 0, 1))
    luma = 0.2989 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    np.testing.assert_allclose(C.adjust_contrast(tensor, 0.4).numpy(), np.clip(0.4 * rgb + 0.6 * luma.mean(), 0, 1))
    np.testing.assert_allclose(C.adjust_saturation(tensor, 2.0).numpy(), np.clip(2 * rgb - luma, 0, 1))
    shifted = C.adjust_hue(tensor, 0.25).numpy()
    for i, j in ((0, 0), (2, 3), (3, 4)):
        h, s, v = colorsys.rgb_to_hsv(*rgb[:, i, j])
        np.testing.assert_allclose(shifted[:, i, j], colorsys.hsv_to_rgb((h + 0.25) % 1.0, s, v), atol=1e-12)
    np.testing.assert_allclose(C.hsv_to_rgb(C.rgb_to_hsv(rgb)), rgb, atol=1e-12)
    with pytest.raises(ValueError, match=r"not in \[-0.5, 0.5\]"):
        C.adjust_hue(tensor, 0.6)


def test_colour_adjustments_on_uint8_tensors_follow_torchvision():
    """torchvision's tensor path in torch ops: blend = (f·a + (1 − f)·b).clamp(0, 255).to(uint8) in
    float32, with the luma itself truncated to uint8."""
    torch = pytest.importorskip("torch")
    tensor = minidl.tensor(RGB.transpose(2, 0, 1).copy())
    t = torch.from_numpy(RGB.transpose(2, 0, 1).copy())
    luma = (0.2989 * t[0] + 0.587 * t[1] + 0.114 * t[2]).to(torch.uint8)[None]

    def blend(a, b, f):
        return (f * a + (1.0 - f) * b).clamp(0, 255).to(torch.uint8).numpy()

    for f in (0.3, 0.7, 1.6):
        np.testing.assert_array_equal(C.adjust_brightness(tensor, f).numpy(), blend(t, torch.zeros_like(t), f))
        np.testing.assert_array_equal(C.adjust_saturation(tensor, f).numpy(), blend(t, luma, f))
        np.testing.assert_array_equal(C.adjust_contrast(tensor, f).numpy(), blend(t, luma.float().mean(), f))
    assert C.adjust_brightness(tensor, 0.7).dtype == minidl.uint8
    assert T.Grayscale()(tensor).numpy().tolist() == luma.numpy().tolist()


def test_color_jitter(Image):
    jitter = T.ColorJitter(brightness=0.4, contrast=(0.5, 1.5), saturation=0.2, hue=0.1, seed=0)
    assert jitter.brightness == (0.6, 1.4) and jitter.contrast == (0.5, 1.5) and jitter.hue == (-0.1, 0.1)
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0) and T.ColorJitter().hue is None
    rng = np.random.default_rng(0)
    order, b, c, s, h = rng.permutation(4), rng.uniform(0.6, 1.4), rng.uniform(0.5, 1.5), rng.uniform(0.8, 1.2), \
        rng.uniform(-0.1, 0.1)
    expected = RGB
    for index in order:
        expected = (C.adjust_brightness, C.adjust_contrast, C.adjust_saturation, C.adjust_hue)[index](
            expected, (b, c, s, h)[index])
    np.testing.assert_array_equal(jitter(RGB), expected)
    assert T.ColorJitter(0.5, 0.5, 0.5, 0.2)(Image.fromarray(RGB)).mode == "RGB"
    tensor = minidl.tensor(RGB.transpose(2, 0, 1) / 255.0)
    jittered = T.ColorJitter(0.5, 0.5, 0.5, 0.2, seed=4)(tensor)
    assert jittered.shape == (3, 13, 17) and 0 <= jittered.numpy().min() and jittered.numpy().max() <= 1
    with pytest.raises(ValueError, match="must be non negative"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\)"):
        T.ColorJitter(hue=0.7)


def test_normalize_keeps_float64_and_takes_batches():
    batch = minidl.tensor(np.ones((2, 3, 2, 2)))
    out = T.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))(batch)
    assert out.dtype == minidl.float64 and out.shape == (2, 3, 2, 2) and out.numpy().max() == 2.0


def test_lambda():
    assert T.Lambda(lambda x: x * 2)(np.ones(2)).tolist() == [2, 2]
    with pytest.raises(TypeError, match="should be callable, got 'int'"):
        T.Lambda(3)


def test_review_fixes_nearest_exact_quarter_turns_and_input_checks():
    """From a break-it review: NEAREST_EXACT on tensors (= interpolate's nearest-exact) and on PIL
    images (PIL's NEAREST); exact quarter turns with expand (PIL transposes); Grayscale and Normalize
    refuse inputs torchvision refuses."""
    torch = pytest.importorskip("torch")
    Image = pytest.importorskip("PIL.Image")
    from minidl.data import transforms as T

    x = np.random.default_rng(0).random((3, 7, 10)).astype("f4")
    ours = T.Resize((5, 13), interpolation=T.InterpolationMode.NEAREST_EXACT)(minidl.tensor(x))
    theirs = torch.nn.functional.interpolate(torch.tensor(x)[None], size=(5, 13), mode="nearest-exact")[0]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    img = Image.fromarray((x.transpose(1, 2, 0) * 255).astype(np.uint8))
    assert T.Resize(4, interpolation=T.InterpolationMode.NEAREST_EXACT)(img).size == (5, 4)
    for angle in (90, 180, 270, -90):
        rotation = T.RandomRotation((angle, angle), expand=True)
        np.testing.assert_array_equal(rotation(np.asarray(img)), np.asarray(img.rotate(angle, expand=True)))
        assert tuple(rotation(minidl.tensor(x)).shape) == (3,) + np.asarray(img.rotate(angle, expand=True)).shape[:2]
    with pytest.raises(TypeError, match="1 or 3 channels"):
        T.Grayscale(3)(minidl.tensor(np.zeros((4, 5, 6), "f4")))
    with pytest.raises(TypeError, match="should be a float tensor"):
        T.Normalize([0.5], [0.5])(minidl.tensor(np.zeros((1, 2, 2), np.uint8)))


def test_tensor_resize_without_antialias_matches_plain_bilinear_and_bicubic():
    """resample's matrices are F.interpolate's: bicubic without antialias (PyTorch's a = −0.75) works too."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).random((3, 12, 9))
    for mode in ("bilinear", "bicubic"):
        ours = T.Resize((5, 14), interpolation=mode, antialias=False)(minidl.tensor(x))
        theirs = torch.nn.functional.interpolate(torch.tensor(x)[None], size=(5, 14), mode=mode, antialias=False,
                                                 align_corners=False)[0]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
