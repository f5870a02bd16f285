"""Which pixels made the network say "class c"?  Two answers built on backward().

    heat = minidl.inspect.saliency(model, images)                   # (N, H, W), values in [0, 1]
    heat = minidl.inspect.grad_cam(model, images, layer="conv2")     # (N, H, W), values in [0, 1]

Both differentiate the class score y_c (the logit, before softmax) — not the loss — so the
answer is about the evidence for c alone.  Both switch the model to eval mode while they run
(dropout would make the maps random; BatchNorm uses its running statistics) and restore the
mode afterwards.  Nothing is accumulated into the parameters' ``.grad``: they use
``minidl.autograd.grad``, which returns gradients instead of storing them.
"""
import numpy as np

from .. import autograd, backend
from ..data.resample import resize as _resize
from ..tensor import Tensor


def _forward(model, images, layer=None):
    """Run ``model`` in eval mode on a fresh leaf copy of ``images`` that requires grad; with
    ``layer``, also return that layer's output (through a forward hook)."""
    if not isinstance(images, Tensor) or images.ndim != 4:
        raise ValueError(f"images: expected a Tensor of shape (N, C, H, W), got "
                         f"{type(images).__name__} of shape {tuple(getattr(images, 'shape', ()))}")
    seen, handle = {}, None
    if layer is not None:
        modules = dict(model.named_modules())
        if layer not in modules or not layer:
            raise KeyError(f"layer: no layer named {layer!r}; available: {', '.join(n for n in modules if n)}")
        handle = modules[layer].register_forward_hook(lambda module, args, output: seen.__setitem__("maps", output))
    was_training = model.training
    model.eval()
    try:
        images = images.detach().requires_grad_(True)  # a leaf, so even a frozen model has a graph
        with autograd.enable_grad():
            logits = model(images)
    finally:
        model.train(was_training)
        if handle is not None:
            handle.remove()
    if logits.ndim != 2:
        raise ValueError(f"model: expected logits of shape (N, classes), got {tuple(logits.shape)}")
    return images, logits, seen.get("maps")


def _class_score(logits, target):
    """Σ_n logits[n, c_n]: one backward pass then gives every image the gradient of its own score
    (images do not interact in eval mode).  ``target``: an int, one int per image, or None for
    the predicted class.  Returns the score and the classes as a NumPy array (N,)."""
    n, classes = logits.shape
    if target is None:
        chosen = backend.to_device(logits.array.argmax(axis=1), "cpu")
    else:
        chosen = np.broadcast_to(np.asarray(target, dtype=np.int64), (n,))
    if chosen.min() < 0 or chosen.max() >= classes:
        raise ValueError(f"target: class indices must lie in [0, {classes}), got {chosen.tolist()}")
    xp = backend.get_array_module(logits.array)
    one_hot = xp.zeros(logits.shape, dtype=logits.dtype)
    one_hot[xp.arange(n), xp.asarray(chosen)] = 1
    return (logits * Tensor._wrap(one_hot, False)).sum(), chosen


def _scale_to_unit(maps):
    """Divide each map (N, H, W) by its maximum, so the strongest evidence is 1 (an all-zero map stays 0)."""
    peak = maps.reshape(len(maps), -1).max(axis=1)
    return maps / np.where(peak > 0, peak, 1)[:, None, None]


def saliency(model, images, target=None):
    """Vanilla gradient saliency (Simonyan, Vedaldi & Zisserman 2014).

    images: (N, C, H, W) → NumPy array (N, H, W) in [0, 1].
    The map is |∂y_c/∂x| maximised over the colour channels: how much a small change of each
    pixel would change the score of class c (``target``; None → the predicted class).
    """
    images, logits, _ = _forward(model, images)
    score, _ = _class_score(logits, target)
    (grad,) = autograd.grad(score, [images])
    maps = np.abs(backend.to_device(grad.array, "cpu").astype(np.float64)).max(axis=1)
    return _scale_to_unit(maps)


def grad_cam(model, images, layer, target=None):
    """Grad-CAM (Selvaraju et al. 2017): where the feature maps of ``layer`` see class c.

    images: (N, C, H, W); layer: a module name as in ``model.named_modules()`` (a convolution or
    the block after it) → NumPy array (N, H, W) in [0, 1].

    With A the layer's output (N, K, h, w) and y_c the class score:
        α_k  = mean over (i, j) of ∂y_c/∂A_k[i, j]     how much map k matters for class c
        cam  = ReLU(Σ_k α_k · A_k)                      (N, h, w): evidence *for* c only
    then bilinear upsampling from h×w to the image's H×W, and each map scaled to a maximum of 1.
    """
    images, logits, maps = _forward(model, images, layer)
    if not isinstance(maps, Tensor) or maps.ndim != 4:
        shape = tuple(maps.shape) if isinstance(maps, Tensor) else type(maps).__name__
        raise ValueError(f"layer: Grad-CAM needs a layer whose output is (N, K, h, w) feature maps; {layer!r} gives {shape}")
    score, _ = _class_score(logits, target)
    (grad,) = autograd.grad(score, [maps])
    activation = backend.to_device(maps.array, "cpu").astype(np.float64)
    weights = backend.to_device(grad.array, "cpu").astype(np.float64).mean(axis=(2, 3))   # α: (N, K)
    cam = np.maximum((weights[:, :, None, None] * activation).sum(axis=1), 0)           # (N, h, w)
    height, width = images.shape[-2:]
    cam = _resize(cam, height, width, "bilinear", antialias=False)  # the N maps play the role of channels
    return _scale_to_unit(cam)
