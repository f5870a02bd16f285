"""Pictures of what is inside a network, written as PNG files with matplotlib (an optional extra:
``pip install "minidl[examples]"``; minidl itself never needs it).

    plot_filters(model.conv1.weight, "filters.png")          # first-layer filters as an image grid
    plot_feature_maps(seen.activations["conv1"], "maps.png") # one input's feature maps
    plot_history(history, "curves.png")                      # loss and accuracy per epoch
    plot_gradient_flow({"plain": flow_a, "resnet": flow_b}, "flow.png")
    plot_heatmaps(images, grad_cam(...), "cam.png")          # saliency / Grad-CAM over the images

Each function takes Tensors or NumPy arrays, writes ``path`` and returns it.  They draw on a
``matplotlib.figure.Figure`` directly (no pyplot), so they work on machines without a display.
"""
import math

import numpy as np

from .. import backend
from ..tensor import Tensor


def _figure(width, height):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("minidl.inspect pictures need matplotlib, which is not installed: "
                          "pip install matplotlib  (or pip install \"minidl[examples]\")") from None
    return Figure(figsize=(width, height))


def _numpy(array):
    if isinstance(array, Tensor):
        array = array.detach().array
    return backend.to_device(array, "cpu").astype(np.float64)


def _save(fig, path):
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def _grid(count, max_columns=8):
    columns = min(count, max_columns)
    return math.ceil(count / columns), columns


def plot_filters(weight, path, title="first-layer filters"):
    """weight: (C_out, C_in, kh, kw).  One tile per filter: RGB when C_in = 3 (each filter scaled to
    [0, 1]), otherwise the first input channel in a blue–white–red map centred on zero (red: the
    filter responds positively to bright pixels there)."""
    weight = _numpy(weight)
    if weight.ndim != 4:
        raise ValueError(f"weight: expected (C_out, C_in, kh, kw), got shape {weight.shape}")
    rows, columns = _grid(len(weight))
    fig = _figure(1.2 * columns, 1.2 * rows + 0.4)
    limit = np.abs(weight).max() or 1.0
    for index, kernel in enumerate(weight):
        axis = fig.add_subplot(rows, columns, index + 1)
        if kernel.shape[0] == 3:
            low, high = kernel.min(), kernel.max()
            axis.imshow(((kernel - low) / (high - low or 1)).transpose(1, 2, 0))
        else:
            axis.imshow(kernel[0], cmap="bwr", vmin=-limit, vmax=limit)
        axis.set_title(str(index), fontsize=8)
        axis.axis("off")
    fig.suptitle(title)
    return _save(fig, path)


def plot_feature_maps(activation, path, title="feature maps", max_maps=32):
    """activation: (C, H, W), or (N, C, H, W) of which the first image is drawn; one tile per
    channel (up to ``max_maps``), each with its own grey scale, and the fraction of zeros
    (ReLU sparsity on this one image, not dead units) in the tile's title."""
    maps = _numpy(activation)
    if maps.ndim == 4:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(f"activation: expected (C, H, W) or (N, C, H, W), got shape {maps.shape}")
    maps = maps[:max_maps]
    rows, columns = _grid(len(maps))
    fig = _figure(1.4 * columns, 1.5 * rows + 0.4)
    for index, channel in enumerate(maps):
        axis = fig.add_subplot(rows, columns, index + 1)
        axis.imshow(channel, cmap="gray")
        axis.set_title(f"{index}: {100 * (channel == 0).mean():.0f}% 0", fontsize=7)
        axis.axis("off")
    fig.suptitle(title)
    return _save(fig, path)


def plot_history(history, path):
    """history: a list of dicts with epoch, train_loss, train_acc and either val_loss, val_acc or
    test_loss, test_acc (as returned by the examples' ``fit``) → two panels: loss and accuracy
    against the epoch, for the training set and the held-out set each epoch was evaluated on."""
    fig = _figure(10, 4)
    from matplotlib.ticker import MaxNLocator  # matplotlib is importable: _figure checked

    epochs = [h["epoch"] for h in history]
    loss, accuracy = fig.subplots(1, 2)
    for split in ("train", "val" if "val_loss" in history[0] else "test"):
        loss.plot(epochs, [h[f"{split}_loss"] for h in history], "o-", label=split)
        accuracy.plot(epochs, [100 * h[f"{split}_acc"] for h in history], "o-", label=split)
    loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    accuracy.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for axis in (loss, accuracy):
        axis.grid(alpha=0.3)
        axis.legend()
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(fig, path)


def plot_gradient_flow(flows, path, title="gradient norm per layer (input side on the left)"):
    """flows: {label: [(parameter name, gradient norm), ...]} as returned by ``gradient_flow`` for
    one or more models → bars on a log scale, one panel per model sharing the y axis, so
    vanishing gradients show as bars that shrink towards the input."""
    if isinstance(flows, list):
        flows = {"model": flows}
    fig = _figure(max(6, 4 * len(flows)), 4)
    axes = fig.subplots(1, len(flows), sharey=True, squeeze=False)[0]
    for axis, (label, flow) in zip(axes, flows.items()):
        norms = [max(norm, 1e-30) for _, norm in flow]
        axis.bar(range(len(norms)), norms, color="#4477aa")
        axis.set_yscale("log")
        axis.set(title=label, xlabel="layer (input → output)")
        axis.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("‖∂L/∂W‖")
    fig.suptitle(title)
    return _save(fig, path)


def plot_heatmaps(images, heatmaps, path, titles=None, title=None):
    """images: (N, C, H, W); heatmaps: (N, H, W) in [0, 1] (from ``saliency`` or ``grad_cam``), or
    {row label: (N, H, W)} to compare several (e.g. Grad-CAM at two layers) → one column per
    image: the image on top, then each heat map laid over it, one row per map."""
    images = _numpy(images)
    rows = heatmaps if isinstance(heatmaps, dict) else {None: heatmaps}
    rows = {label: _numpy(maps) for label, maps in rows.items()}
    for maps in rows.values():
        if images.ndim != 4 or maps.shape != (images.shape[0],) + images.shape[2:]:
            raise ValueError(f"images (N, C, H, W) and heatmaps (N, H, W) must agree, got {images.shape} and {maps.shape}")
    count, height = len(images), len(rows) + 1
    fig = _figure(1.6 * count, 1.8 * height)
    for index in range(count):
        # RGB images as they are; any other channel count as the grey mean of the channels
        picture = images[index].transpose(1, 2, 0) if images.shape[1] == 3 else images[index].mean(axis=0)
        picture = (picture - picture.min()) / (picture.max() - picture.min() or 1)
        top = fig.add_subplot(height, count, index + 1)
        top.imshow(picture, cmap="gray")
        top.axis("off")
        if titles is not None:
            top.set_title(str(titles[index]), fontsize=8)
        for row, (label, maps) in enumerate(rows.items(), start=1):
            axis = fig.add_subplot(height, count, row * count + index + 1)
            axis.imshow(picture, cmap="gray")
            axis.imshow(maps[index], cmap="jet", alpha=0.5, vmin=0, vmax=1)
            axis.axis("off")
            if label is not None and index == 0:
                axis.text(-0.1, 0.5, str(label), transform=axis.transAxes, rotation=90, ha="right", va="center", fontsize=8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)
