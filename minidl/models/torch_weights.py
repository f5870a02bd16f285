"""Using PyTorch weights: ``model.load_state_dict(minidl.models.from_torch(state_dict))``.

The zoo uses torchvision's module names, so a torchvision state_dict maps key for key; this only
turns every value (a torch tensor or a NumPy array) into a NumPy array.  It never imports torch:
anything with ``.detach().cpu().numpy()`` or ``__array__`` works.
"""
import collections

import numpy as np


def to_numpy(value):
    if hasattr(value, "detach"):  # a torch.Tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def from_torch(state_dict, prefix_to_strip=("module.",)):
    """OrderedDict of NumPy arrays with the same keys (minus a DataParallel ``module.`` prefix)."""
    converted = collections.OrderedDict()
    for key, value in state_dict.items():
        for prefix in prefix_to_strip:
            if key.startswith(prefix):
                key = key[len(prefix):]
        converted[key] = to_numpy(value)
    return converted
