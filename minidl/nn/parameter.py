"""``Parameter``: a leaf tensor that a Module registers as learnable (requires_grad=True by default)."""
from ..tensor import Tensor


class Parameter(Tensor):
    def __init__(self, data=None, requires_grad=True):
        if data is None:
            import numpy as np

            data = np.zeros(0, dtype=np.float32)
        super().__init__(data.array if isinstance(data, Tensor) else data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
