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
        "convolution as im2col + one matrix product, and its two gradients (col2im for the input)",
        (
            Stub("functions/im2col.py", "im2col",
                 "which input pixels does kernel offset (i, j) see, for all output positions at once? That set is one "
                 "strided slice of the padded input (window_slices, imported from geometry.py, gives each offset (i, j) with "
                 "its slices (rows, cols)). Pad, then copy one slice per offset into col[:, i, j] — a loop over the kh·kw "
                 "offsets, not over pixels. (Written with tuples — col[(slice(None),) + offset] — it also serves conv3d.)"),
            Stub("functions/im2col.py", "col2im",
                 "im2col copied each pixel into every window that contains it. Going back, what should a pixel receive "
                 "when several windows overlap it? Loop over the same offsets as im2col, into a zero padded image, "
                 "then crop the padding and return (N, C, H, W)."),
            Stub("functions/conv.py", "conv2d_forward",
                 "with col = im2col(x) seen as a (C·kh·kw, N·OH·OW) matrix, which matrix product gives y? Reshape w "
                 "to match (one product per group: a leading group axis), and put the result back in (N, F, OH, OW). "
                 "Process the batch in the chunks batch_chunks(N, bytes of one sample's columns) gives; scratch is for "
                 "the fast twins, leave it alone."),
            Stub("functions/conv.py", "conv2d_grad_input",
                 "y = W @ col is linear in col: what is the gradient with respect to col? Then which function takes "
                 "a gradient on col back to a gradient on x?"),
            Stub("functions/conv.py", "conv2d_grad_weight",
                 "y = W @ col is linear in W too: what is dW, given dy and col? Remember that each group has its own "
                 "W and its own channels, and that dW sums over every sample of the batch."),
        ),
        ("tests/functions/test_conv.py::*",),
    ),
    "max_pool2d": Task(
        "max pooling: the maximum of each window, and the gradient routed to the winner",
        (
            Stub("functions/pooling.py", "max_pool2d_forward",
                 "pad with -inf (geometry.padded), then walk geometry.offsets(): one strided view per kernel offset. "
                 "Keep the running maximum and, in an int32 array, which offset gave it. When two values tie, which "
                 "one must win, and what comparison keeps it?"),
            Stub("functions/pooling.py", "max_pool2d_backward",
                 "y is a copy of one input pixel per window: which pixel should receive dy, and what happens where "
                 "windows overlap? Build the gradient of the padded input (zeros), then geometry.unpad."),
        ),
        ("tests/functions/test_pooling.py::*max_pool*", "tests/functions/test_pooling.py::test_overlapping*"),
    ),
    "batch_norm": Task(
        "batch normalization in training mode: forward, running statistics, and the closed-form backward",
        (
            Stub("functions/normalization.py", "batch_norm_forward",
                 "mean and biased variance of each channel over ``axes`` (keepdims), x̂, then y = γ·x̂ + β with γ, β "
                 "reshaped to broadcast over (1, C, 1, ...). Return y and BatchNormStats(mean, var, inv_std, x_hat)."),
            Stub("functions/normalization.py", "batch_norm_backward",
                 "draw the graph μ → xc = x − μ → σ² → 1/σ → x̂ → y and walk it backwards; every x reaches y directly "
                 "and through μ and σ². Sum the three paths and simplify. Write it with Tensor operations on gy, x "
                 "and weight (rebuild x̂ from x), so that it can be differentiated again; None where needs_input_grad "
                 "is False."),
            Stub("functions/normalization.py", "update_running_stats",
                 "an exponential moving average with weight momentum on the new value, in place. Which variance does "
                 "PyTorch keep: the biased one that normalised this batch, or the unbiased one?"),
        ),
        ("tests/functions/test_normalization.py::*batch_norm*",),
    ),
    "fast_conv2d": Task(
        "(optional) make it fast: channels-last windows without copies, and col2im in another memory order",
        (
            Stub("functions/fast/conv.py", "window_view",
                 "every window as a view, no copy: xp.lib.stride_tricks.as_strided(padded, shape=(N, OH, OW, kh, kw, "
                 "C), strides=...). How far in memory is one output step, and one kernel step? Refuse windows that "
                 "would reach past the image (as_strided does not check)."),
            Stub("functions/fast/conv.py", "col2im_any_order",
                 "col2im (functions/im2col.py) again, but with batch_last the padded image is allocated as "
                 "(C, H_p, W_p, N) and indexed through a transposed view, so the loop reads the same."),
        ),
        ("tests/functions/test_fast_twins.py::*conv*", "tests/functions/test_fast_twins.py::*window_view*",
         "tests/functions/test_fast_twins.py::*col2im*", "tests/functions/test_fast_twins.py::*channels_last*",
         "tests/functions/test_fast_twins.py::*depthwise*"),
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
