"""Initialisations the papers and torchvision use, shared by the model files."""
import numpy as np

from .. import autograd, backend, nn
from .. import random as _random


def kaiming_conv_zero_bias(model, mode="fan_out"):
    """Convs ~ He normal (fan_out, ReLU gain), BatchNorm γ = 1, β = 0, conv biases 0 (VGG, ResNet)."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode=mode, nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


def trunc_normal_(tensor, std=0.01, a=-2.0, b=2.0):
    """N(0, std²) truncated to [a, b] (absolute bounds, as torch.nn.init.trunc_normal_), by resampling."""
    rng = _random.generator(np)
    values = rng.normal(0.0, std, tensor.shape)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = rng.normal(0.0, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    with autograd.no_grad():
        tensor.array[...] = backend.to_device(values.astype(tensor.dtype), tensor.device)
    return tensor
