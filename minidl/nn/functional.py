"""``minidl.nn.functional``: the same names and arguments as ``torch.nn.functional``."""
from ..functions.activation import (  # noqa: F401
    elu, gelu, hardsigmoid, hardswish, hardtanh, leaky_relu, relu, relu6, sigmoid, silu, softplus, tanh,
)
from ..functions.activation_composite import (  # noqa: F401
    celu, glu, logsigmoid, mish, normalize, prelu, rrelu, selu, softmin, softsign,
)
from ..functions.conv import conv2d, conv_transpose2d  # noqa: F401
from ..functions.one_d import avg_pool1d, conv1d, max_pool1d, max_unpool2d  # noqa: F401
from ..functions.fold import fold, unfold  # noqa: F401
from ..functions.interpolate import interpolate, upsample, upsample_bilinear, upsample_nearest  # noqa: F401
from ..functions.three_d import (  # noqa: F401
    adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, conv3d, conv_transpose3d, max_pool3d, max_unpool3d,
)
from ..functions.dropout import dropout, dropout2d  # noqa: F401
from ..functions.dropout import drop_path  # noqa: F401
from ..functions.joining import pad  # noqa: F401
from ..functions.linear import linear  # noqa: F401
from ..functions.losses import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, kl_div, l1_loss, mse_loss, nll_loss,
)
from ..functions.normalization import (  # noqa: F401
    batch_norm, group_norm, instance_norm, layer_norm, local_response_norm, rms_norm,
)
from ..functions.shape import pixel_shuffle, pixel_unshuffle  # noqa: F401
from ..functions.pooling import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d  # noqa: F401
from .shuffle import channel_shuffle  # noqa: F401,E402
from ..functions.softmax import log_softmax, softmax  # noqa: F401
