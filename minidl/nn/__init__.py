"""``minidl.nn``: modules, layers, initialisation — PyTorch's names and defaults."""
from . import functional, init, parallel, utils  # noqa: F401
from .activation import (  # noqa: F401
    CELU, ELU, GELU, GLU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6,
    RReLU, SELU, Sigmoid, SiLU, Softmax, Softmin, Softsign, Tanh,
)
from .channel_attention import (  # noqa: F401
    ConvNormAct, EcaModule, RadixSoftmax, SelectiveKernel, SelectiveKernelAttn, SplitAttn,
)
from .containers import ModuleDict, ModuleList, Sequential  # noqa: F401
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d  # noqa: F401
from .dropout import Dropout, Dropout2d  # noqa: F401
from .dropout import DropPath, drop_path_schedule  # noqa: F401
from .efficient_blocks import GhostModule, MixedConv2d, SqueezeExcite  # noqa: F401
from .linear import Flatten, Identity, Linear  # noqa: F401
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from .sync_batchnorm import SyncBatchNorm  # noqa: F401
from .normalization import (  # noqa: F401
    BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm2d, LayerNorm, LocalResponseNorm, RMSNorm,
)
from .parameter import Parameter  # noqa: F401
from .pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401
from .reversible import ReversibleBlock, ReversibleSequence  # noqa: F401
from .shuffle import ChannelShuffle  # noqa: F401
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401
from .pooling import (  # noqa: F401
    AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
    MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool2d, MaxUnpool3d, SpatialPyramidPooling,
)
