"""minidl: a deep-learning engine to read, on NumPy (CPU) and CuPy (GPU).

    import minidl
    x = minidl.randn(3, requires_grad=True)
    (x * x).sum().backward()
    x.grad            # 2 * x
"""
from . import dtypes
from .backend import Device, CudaUnavailableError, DeviceMismatchError, HostTransferError, forbid_host_transfers, get_array_module
from .dtypes import (  # noqa: A004  (minidl.bool, minidl.float, ... mirror torch's names)
    bool, double, float, float16, float32, float64, half, int, int8, int16, int32, int64, long, uint8,
)
from .tensor import Size, Tensor
from . import autograd
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .functions.dispatch import fast_paths_enabled, use_fast_paths
from .functions import (
    abs, add, all, amax, amin, any, argmax, argmin, bmm, broadcast_to, cat, chunk, clamp, clip, clone,
    concat, contiguous, cos, div, eq, erf, exp, expand, flatten, ge, gt, index_select, le, log, log1p,
    log_softmax, logical_and, logical_not, logical_or, logsumexp, lt, matmul, max, maximum, mean, min,
    minimum, mm, mul, ne, neg, norm, permute, pow, prod, relu, reshape, rsqrt, sigmoid, sign, sin,
    softmax, split, sqrt, square, squeeze, stack, std, sub, sum, t, tanh, transpose, unsqueeze, var,
    view_as, where,
)
from .functions import elu, gelu, leaky_relu, pad, reshape_as, silu, softplus, view  # noqa: F401
from .functions import bitwise_and, bitwise_not, bitwise_or, bitwise_xor, floor_divide, remainder  # noqa: F401
from .functions import gather, scatter, scatter_add  # noqa: F401
from .functions import (  # noqa: F401
    addmm, argsort, ceil, cumsum, dot, flip, floor, frac, isfinite, isinf, isnan, masked_fill, mv, outer,
    reciprocal, repeat, roll, round, sort, topk, trunc,
)
from .creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones, ones_like, rand,
    rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from .random import get_rng_state, initial_seed, manual_seed, set_rng_state
from . import cuda
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .serialization import CheckpointError, load, save
from . import accelerator, amp, backends, data, hub, inspect, models, nn, optim, utils
from .models.summary import summary

device = Device


def get_default_dtype():
    """float32, as in PyTorch: Python floats and random factories produce it."""
    return dtypes.DEFAULT_FLOAT


__version__ = "0.1.0"
