"""Dropout layers: active in train mode, the identity in eval mode."""
from . import functional as F
from .module import Module


class Dropout(Module):
    """Inverted dropout (functions/dropout.py).  ``inplace=True`` is accepted and computed out of
    place: the same values, without PyTorch's memory saving."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability between 0 and 1, got {p}")
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class Dropout2d(Dropout):
    def forward(self, x):
        return F.dropout2d(x, self.p, self.training)
