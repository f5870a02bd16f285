"""Dropout layers: active in train mode, the identity in eval mode.  ``DropPath`` drops whole
samples of a residual branch (stochastic depth); ``drop_path_schedule`` gives its rate per block."""
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


class DropPath(Module):
    """Stochastic depth per sample (Huang et al. 2016), timm's ``DropPath``: put on a residual
    branch, ``x + drop_path(branch(x))``, it skips the block for a random ``drop_prob`` of the
    samples in training (functions/dropout.py, ``drop_path``).  Identity in eval mode.

    Shapes: (N, *) → the same.  Raises ValueError for a drop_prob outside [0, 1].
    """

    def __init__(self, drop_prob=0.0, scale_by_keep=True):
        super().__init__()
        if not 0.0 <= drop_prob <= 1.0:
            raise ValueError(f"DropPath: drop_prob must be a probability between 0 and 1, got {drop_prob}")
        self.drop_prob, self.scale_by_keep = drop_prob, scale_by_keep

    def forward(self, x):
        return F.drop_path(x, self.drop_prob, self.training, self.scale_by_keep)

    def extra_repr(self):
        return f"drop_prob={self.drop_prob:.3f}"


def drop_path_schedule(drop_path_rate, num_blocks):
    """The drop probability of each of ``num_blocks`` residual blocks, rising linearly with depth.

    Block i (0-based, counted over the whole network) gets ``drop_path_rate · i / num_blocks``:
    the first block is always kept, the deepest is dropped most — the "linear decay" rule of
    Huang et al. (2016, §3), as the EfficientNet reference code and timm apply it (the last block
    gets ``drop_path_rate · (n − 1)/n``).  Returns a list of ``num_blocks`` floats.
    """
    if not 0.0 <= drop_path_rate <= 1.0:
        raise ValueError("drop_path_schedule: drop_path_rate must be a probability between 0 and 1, "
                         f"got {drop_path_rate}")
    if int(num_blocks) != num_blocks or num_blocks < 0:
        raise ValueError(f"drop_path_schedule: num_blocks must be a non-negative integer, got {num_blocks}")
    return [drop_path_rate * index / num_blocks for index in range(int(num_blocks))]
