"""Test oracles that are not runtime dependencies: PyTorch, timm and scikit-learn.

Each getter skips the calling test cleanly when the oracle is not installed (``.ci/run`` installs
all three).  timm imports torchvision at import time, and torchvision has no build for the CPU
PyTorch here; ``../shared/oracles/torchvision_stub`` stands in for the few names timm touches
(see ``../shared/oracles/README.md``).  It is put on ``sys.path`` only when no real torchvision is
importable, and only for timm.
"""
import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCHVISION_STUB = os.path.join(os.path.dirname(ROOT), "shared", "oracles", "torchvision_stub")


def torch():
    return pytest.importorskip("torch")


def timm():
    """The ``timm`` module (after torch), or skip."""
    torch()
    if importlib.util.find_spec("torchvision") is None and os.path.isdir(TORCHVISION_STUB):
        sys.path.append(TORCHVISION_STUB)
    return pytest.importorskip("timm")


def timm_model(name, **kwargs):
    """``timm.create_model(name)`` in eval mode, randomly initialised (no network here), or skip."""
    model = timm().create_model(name, pretrained=False, **kwargs)
    return model.eval()


def sklearn():
    return pytest.importorskip("sklearn")
