"""For the PyTorch run of imagenet_alexnet.py where torchvision is not installed (it has no build
for the CPU PyTorch here): the same names, backed by minidl's ImageFolder and transforms (samples
handed to PyTorch as NumPy arrays) and by torchvision's AlexNet and SqueezeNet 1.1 layouts written in torch.nn
(tests/models/torch_reference.py).  The data pipeline is then the same code in both runs; what the
comparison checks is everything after it: model, loss, optimizer, scheduler, checkpoints."""
import types

import minidl.data as _data
from minidl.data import transforms  # noqa: F401  (torchvision.transforms' names)

from tests.models import torch_reference as _reference


class ImageFolder(_data.ImageFolder):
    def __getitem__(self, index):
        image, label = super().__getitem__(index)
        return image.numpy(), label


datasets = types.SimpleNamespace(ImageFolder=ImageFolder)
models = types.SimpleNamespace(
    alexnet=lambda num_classes=1000, dropout=0.5: _reference.AlexNet(num_classes, dropout),
    squeezenet1_1=lambda num_classes=1000, dropout=0.5: _reference.SqueezeNet11(num_classes, dropout))
