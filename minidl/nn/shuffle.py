"""Channel shuffle (Zhang, Zhou, Lin & Sun 2018, "ShuffleNet: An extremely efficient convolutional
neural network for mobile devices", §3.1 and Fig. 1): after a grouped convolution each group has
seen only its own slice of the channels; shuffling interleaves the groups so that the next grouped
convolution mixes information across them.  PyTorch's ``nn.ChannelShuffle`` and
``F.channel_shuffle``.
"""
from .module import Module


def channel_shuffle(input, groups):
    """Interleave ``groups`` channel groups: channel ``g·c + i`` moves to ``i·groups + g``.

    Shapes: input (N, C, *) with C divisible by ``groups`` → the same shape.
    The math is three views: (N, g·c, *) → (N, g, c, *) → swap the g and c axes → (N, c·g, *),
    so the gradient is the inverse permutation (the same three views backwards) and comes from
    reshape and transpose.  Raises ValueError for ``groups`` that is not a positive int, an input
    with fewer than 3 dimensions, or a channel count that ``groups`` does not divide.
    """
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"channel_shuffle: groups must be a positive int, got {groups!r}")
    if input.ndim < 3:
        raise ValueError(f"channel_shuffle: expected input of shape (N, C, *) with at least 3 dimensions, "
                         f"got shape {tuple(input.shape)}")
    n, channels, *rest = input.shape
    if channels % groups:
        raise ValueError(f"channel_shuffle: the number of channels ({channels}) must be divisible by "
                         f"groups ({groups}) (input shape {tuple(input.shape)})")
    grouped = input.reshape(n, groups, channels // groups, *rest)
    return grouped.transpose(1, 2).reshape(n, channels, *rest)


class ChannelShuffle(Module):
    """``channel_shuffle`` as a layer: (N, C, *) → (N, C, *), C divisible by ``groups``."""

    def __init__(self, groups):
        super().__init__()
        if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
            raise ValueError(f"ChannelShuffle: groups must be a positive int, got {groups!r}")
        self.groups = groups

    def forward(self, input):
        return channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
