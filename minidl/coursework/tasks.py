"""The assignments a teacher can choose from: which functions the student writes, with a hint
for each, and which tests check them.

A test pattern is a pytest node id with shell-style wildcards, relative to the assignment
folder: ``tests/functions/test_pooling.py::*max_pool*`` selects the max-pool tests of that file.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Stub:
    path: str      # module inside the minidl package, e.g. "functions/im2col.py"
    name: str      # function, or Class.method
    hint: str      # the TODO comment: what to do, in a sentence or two


@dataclass(frozen=True)
class Task:
    summary: str
    stubs: tuple
    tests: tuple   # node-id patterns


TASKS = {
    "conv2d": Task(
        "convolution as im2col + one matrix product (forward, and col2im for the backward pass)",
        (
            Stub("functions/im2col.py", "im2col",
                 "pad x (channels first: _channels_first_padded), then for each kernel offset (i, j) copy the strided "
                 "slice of the padded input that the offset sees into col[:, i, j]. Loop over kh·kw offsets, not pixels."),
            Stub("functions/im2col.py", "col2im",
                 "the adjoint of im2col: start from zeros of the padded size (_padded_hw; with batch_last, allocate "
                 "(C, H_p, W_p, N) and index it through .transpose(0, 3, 1, 2)) and, for each offset (i, j), ADD col[:, i, j] "
                 "into the strided slice it came from (windows overlap); then crop the padding and go back to (N, C, H, W)."),
            Stub("functions/im2col.py", "window_view",
                 "the channels-last windows as a view, no copy: xp.lib.stride_tricks.as_strided(padded, shape=(N, OH, OW, "
                 "kh, kw, C), strides=...) — one output step moves stride·(the padded array's H or W stride), one kernel "
                 "step moves dilation·(the same). Raise ValueError when the last window would reach past the image."),
        ),
        ("tests/functions/test_conv.py::*",),
    ),
    "max_pool2d": Task(
        "max pooling: the maximum of each window, and the gradient routed to the winner",
        (
            Stub("functions/pooling.py", "MaxPool2dFunction.forward",
                 "pad with -inf (self.geometry.padded), then walk self.geometry.offsets(): keep the running maximum and, "
                 "in an int32 array, the offset number of the first maximum (ties keep the earlier one). "
                 "Store the argmax on self.argmax and return (out, argmax)."),
            Stub("functions/pooling.py", "_window_max",
                 "the inference path (no gradient needed): pad with -inf (geometry.padded) and keep only the running "
                 "maximum over geometry.offsets(); no argmax."),
            Stub("functions/pooling.py", "_scatter",
                 "zeros of the padded input's shape; for each offset add gy where argmax == offset into the strided "
                 "slice (rows, cols) of that offset; finally geometry.unpad."),
        ),
        ("tests/functions/test_pooling.py::*max_pool*", "tests/functions/test_pooling.py::test_overlapping*",
         "tests/functions/test_pooling.py::test_fast_and_general*"),
    ),
    "batch_norm": Task(
        "batch normalization in training mode: normalize each channel, and the closed-form backward",
        (
            Stub("functions/normalization.py", "Normalize.forward",
                 "mean and biased variance over self.axes (keepdims); store self.mean, self.var (the caller updates the "
                 "running statistics from them) and self.inv_std; return x̂."),
            Stub("functions/normalization.py", "Normalize.backward",
                 "dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)), means over self.axes. Use Tensor operations on "
                 "self.inputs[0] (recompute x̂ from it) so that the result can be differentiated again."),
            Stub("functions/normalization.py", "BatchNormTrain.forward",
                 "like Normalize.forward (channel_sums gives the per-channel sums), then y = γ·x̂ + β with weight and "
                 "bias reshaped to self.channel_shape; store self.mean, self.var, self.inv_std and self.x_hat."),
            Stub("functions/normalization.py", "BatchNormTrain.backward_tensor_ops",
                 "return (dx, dγ, dβ) from the formulas in the class docstring, as Tensor operations on self.inputs "
                 "(None for an input with needs_input_grad False)."),
            Stub("functions/normalization.py", "BatchNormTrain.backward_arrays",
                 "the same three gradients on arrays (gy.data, self.x_hat, self.inv_std; sums with channel_sums): "
                 "dx = a·dy + b·x̂ + c with per-channel a = γ/σ, b = −a·dγ/M, c = −a·dβ/M, in place where you can; "
                 "wrap each result with Tensor._wrap(array, False)."),
        ),
        ("tests/functions/test_normalization.py::*batch_norm*",),
    ),
    "local_response_norm": Task(
        "AlexNet's local response normalization: the sum of squares over a window of neighbouring channels",
        (
            Stub("functions/normalization.py", "ChannelWindowSum.forward",
                 "for each channel c, add up x[:, c'] for c' from c − self.before to c + self.after (skipping channels "
                 "outside 0..C−1). A loop over the window works; a cumulative sum along channels needs no loop."),
            Stub("functions/normalization.py", "ChannelWindowSum.backward",
                 "the window sum is linear, so dx[c'] = Σ of gy[c] over the outputs c whose window contains c'. Which "
                 "window is that, seen from c'? Write it with this same Function, so it can be differentiated again."),
        ),
        ("tests/functions/test_normalization.py::*local_response*", "tests/functions/test_normalization.py::*lrn*"),
    ),
    "linear": Task(
        "the fully connected layer y = x Wᵀ + b",
        (Stub("functions/linear.py", "linear",
              "check that x's last dimension equals W's in_features (a RuntimeError naming both shapes), then "
              "x @ W.mT (+ b). Tensor operations only: autograd derives the backward pass."),),
        ("tests/functions/test_dropout_linear_losses.py::test_linear*",),
    ),
    "dropout": Task(
        "inverted dropout: zero with probability p, scale the survivors by 1/(1 − p)",
        (
            Stub("functions/dropout.py", "_keep_mask",
                 "uniform numbers from minidl's generator (random.generator(xp)) → 1/(1 − p) where they are ≥ p, "
                 "0 elsewhere, in like.dtype."),
            Stub("functions/dropout.py", "ScaleByMask.forward", "multiply by the stored mask."),
            Stub("functions/dropout.py", "ScaleByMask.backward", "the same mask scales the gradient."),
        ),
        ("tests/functions/test_dropout_linear_losses.py::test_dropout*",),
    ),
    "cross_entropy": Task(
        "log-softmax, the numerically stable heart of the cross-entropy loss",
        (
            Stub("functions/softmax.py", "LogSoftmax.forward",
                 "subtract the maximum along self.dim first (exp would overflow otherwise), then x − log Σ exp x."),
            Stub("functions/softmax.py", "LogSoftmax.backward",
                 "dx = gy − softmax(x)·Σ gy along self.dim; softmax(x) is self.output().exp()."),
        ),
        ("tests/functions/test_dropout_linear_losses.py::test_cross_entropy*",
         "tests/functions/test_dropout_linear_losses.py::test_nll_loss"),
    ),
}
