"""The differentiable operations, one family per file.  Each op is a ``Function`` subclass
(forward on arrays, backward on tensors) plus a lowercase wrapper with the user-facing API."""
from .activation import elu, gelu, hardsigmoid, hardswish, leaky_relu, relu, relu6, sigmoid, silu, softplus, tanh
from .arithmetic import add, div, mul, neg, pow, square, sub
from .compare import (
    clamp, clip, eq, ge, gt, le, logical_and, logical_not, logical_or, lt, masked_fill, maximum, minimum, ne, sign,
    where,
)
from .conversion import cast, clone, to_device
from .elementwise import abs, cos, erf, exp, log, log1p, rsqrt, sin, sqrt
from .scatter import gather, scatter, scatter_add
from .integer import bitwise_and, bitwise_not, bitwise_or, bitwise_xor, floor_divide, remainder
from .indexing import getitem, index_select, index_to_arrays
from .joining import cat, chunk, concat, concatenate, pad, split, stack
from .matmul import addmm, bmm, dot, matmul, mm, mv, outer
from .ordering import argsort, cumsum, flip, roll, sort, topk
from .rounding import ceil, floor, frac, isfinite, isinf, isnan, reciprocal, round, trunc
from .reductions import all, amax, amin, any, argmax, argmin, logsumexp, max, mean, min, norm, prod, std, sum, var
from .shape import (
    broadcast_to, contiguous, expand, expand_as, flatten, permute, pixel_shuffle, pixel_unshuffle, repeat, reshape,
    reshape_as, squeeze, sum_to, sum_to_size, t, transpose, unsqueeze, view, view_as,
)
from .softmax import log_softmax, softmax
from .dispatch import fast_paths_enabled, use_fast_paths
from . import fast  # noqa: E402,F401  (registers the fast twins behind functions/dispatch.py)
