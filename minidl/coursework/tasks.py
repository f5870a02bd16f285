"""The assignments a teacher can choose from: which functions the student writes, with a hint
for each, and which tests check them.

A test pattern is a pytest node id with shell-style wildcards, relative to the assignment
folder: ``tests/functions/test_pooling.py::*max_pool*`` selects the max-pool tests of that file;
a pattern starting with ``!`` leaves out the tests it matches (a test whose oracle is hidden).

Each task is one forward and its backward.  Hints ask questions and name the tools; they do not
give the closed form, which stays in the reference body (the teacher's solution).  ``hidden``
lists other functions whose bodies would show the answer on the student's screen — a fast twin,
a naive oracle, the same formula written for another layer; the assignment removes their bodies
too (their layers' other tests are not part of the task), and ``solve`` restores them.
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
    tests: tuple          # node-id patterns ("!pattern" excludes)
    hidden: tuple = ()    # (module path, function) pairs removed from the student's copy


TASKS = {
    "conv2d": Task(
        "convolution as im2col + one matrix product, and its two gradients (col2im for the input)",
        (
            Stub("functions/im2col.py", "im2col",
                 "which input pixels does kernel offset (i, j) see, for all output positions at once? That set is one "
                 "strided slice of the padded input (window_slices, imported from geometry.py, gives each offset (i, j) "
                 "with its slices). Could you fill col[:, i, j] with a loop over the kh·kw offsets instead of over pixels? "
                 "conv3d calls this same im2col with one more spatial axis: can your loop index with the offset "
                 "tuple and the slice tuple, so that it never names i and j?"),
            Stub("functions/im2col.py", "col2im",
                 "im2col copied each pixel into every window that contains it. Going back, what should a pixel receive "
                 "when several windows overlap it: the last value written, or something else? Which loop from im2col "
                 "can you reuse, and what must you crop at the end to return (N, C, H, W)?"),
            Stub("functions/conv.py", "conv2d_forward",
                 "with col = im2col(x) seen as a (C·kh·kw, N·OH·OW) matrix, which matrix product gives y? How must w "
                 "be reshaped to match (one product per group: a leading group axis), and how does the result go back "
                 "to (N, F, OH, OW)? Process the batch in the chunks batch_chunks(N, bytes of one sample's columns) "
                 "gives — one sample's columns are C·kh·kw·OH·OW numbers of x's itemsize — and chunk the two "
                 "gradients the same way (a test checks that no column buffer exceeds the budget); scratch is for "
                 "the fast twins, leave it alone."),
            Stub("functions/conv.py", "conv2d_grad_input",
                 "y = W @ col is linear in col: what is the gradient with respect to col? Then which function takes "
                 "a gradient on col back to a gradient on x?"),
            Stub("functions/conv.py", "conv2d_grad_weight",
                 "y = W @ col is linear in W too: what is dW, given dy and col? Each group has its own W and its own "
                 "channels — and does dW depend on one sample or on the whole batch?"),
        ),
        ("tests/functions/test_conv.py::*", "tests/functions/test_three_d.py::*conv3d*"),
        # the fast twins compute the same products (a student's own check would run them, not their code)
        hidden=(("functions/fast/conv.py", "conv2d_forward_fast"), ("functions/fast/conv.py", "conv2d_grad_input_fast"),
                ("functions/fast/conv.py", "conv2d_grad_weight_fast"), ("functions/fast/conv.py", "grad_weight_transposed"),
                ("functions/fast/conv.py", "grad_input_by_col2im"), ("functions/fast/conv.py", "forward_by_rows")),
    ),
    "conv2d_backward": Task(
        "the convolution's three gradients written as plain loops, from its definition (no autograd)",
        (
            Stub("functions/naive.py", "conv2d_backward_naive",
                 "conv2d_forward_naive above is the definition: y[n, f, i, j] is a sum over one window of x_pad times "
                 "w[f]. Which inputs and which weights did one output element use? If that output's gradient is "
                 "dy[n, f, i, j], what does it contribute to each of them — and what happens to a pixel that several "
                 "windows share, or to w[f], which every output of filter f uses? Loop as the forward does (_windows "
                 "gives the slices), then crop the padding off dx. Before running the tests, can you check one entry "
                 "of dw yourself, by nudging that weight by ±1e-6 and watching Σ dy·y change?"),
        ),
        ("tests/functions/test_conv.py::*naive*",),
    ),
    "max_pool2d": Task(
        "max pooling: the maximum of each window, and the gradient routed to the winner",
        (
            Stub("functions/pooling.py", "max_pool2d_forward",
                 "what value should padding have so that it never wins a maximum (geometry.padded(x, value))? "
                 "geometry.offsets() gives one strided view per kernel offset: can you keep a running maximum over "
                 "those views, and in an int32 array the offset that gave it? When two values tie, which one must "
                 "win (the tests say: the first, row-major), and which comparison keeps it? What must a NaN do?"),
            Stub("functions/pooling.py", "max_pool2d_backward",
                 "y copies one input pixel per window. Which pixel should receive dy, and what happens to a pixel "
                 "that wins two overlapping windows? Build the gradient of the padded input, then geometry.unpad."),
        ),
        ("tests/functions/test_pooling.py::*max_pool*", "tests/functions/test_pooling.py::test_overlapping*"),
        hidden=(("functions/fast/pooling.py", "max_pool2d_forward_fast"),
                ("functions/fast/pooling.py", "max_pool2d_values_fast"),
                ("functions/fast/pooling.py", "max_pool2d_backward_fast")),
    ),
    "batch_norm": Task(
        "batch normalization in training mode: forward, running statistics, and the backward you derive",
        (
            Stub("functions/normalization.py", "batch_norm_forward",
                 "which mean and which variance of each channel — over which axes, and divided by M or by M − 1? "
                 "Keep their dims (keepdims=True on arrays), form x̂, then y = γ·x̂ + β with γ, β reshaped to "
                 "broadcast over (1, C, 1, ...). Return y and BatchNormStats(mean, var, inv_std, x_hat)."),
            Stub("functions/normalization.py", "batch_norm_backward",
                 "draw the staged graph μ = mean x → xc = x − μ → σ² = mean xc² → s = 1/√(σ² + ε) → x̂ = xc·s → "
                 "y = γ·x̂ + β and walk it backwards, one local derivative per arrow. dβ and dγ come from the last "
                 "node. For dx: x reaches y directly (through xc), through μ and through σ² — what does each path "
                 "contribute? Simplify the sum as far as you can, then write it with Tensor operations on gy, x and "
                 "weight (rebuild x̂ from x), so that it can be differentiated again; None where "
                 "needs_input_grad is False. Check yourself with minidl.gradcheck before running the tests."),
            Stub("functions/normalization.py", "update_running_stats",
                 "an exponential moving average, in place: which weight does PyTorch's momentum put on the new value "
                 "(is it Keras's convention?), and which variance does it keep — the biased one that normalised this "
                 "batch, or the unbiased one?"),
        ),
        ("tests/functions/test_normalization.py::*batch_norm*", "!tests/functions/test_normalization.py::*naive*"),
        hidden=(("functions/normalization.py", "Normalize.backward"),
                ("functions/naive.py", "batch_norm_backward_naive"),
                ("functions/fast/normalization.py", "batch_norm_forward_fast"),
                ("functions/fast/normalization.py", "batch_norm_backward_fast")),
    ),
    "fast_conv2d": Task(
        "(optional) make it fast: channels-last windows without copies, and col2im in another memory order",
        (
            Stub("functions/fast/conv.py", "window_view",
                 "every window as a view, no copy: xp.lib.stride_tricks.as_strided(padded, shape=(N, OH, OW, kh, kw, "
                 "C), strides=...). How far in memory is one output step, and one kernel step? What must you refuse, "
                 "given that as_strided does not check whether a window reaches past the image?"),
            Stub("functions/fast/conv.py", "col2im_any_order",
                 "col2im (functions/im2col.py) again, but with batch_last the padded image is allocated as "
                 "(C, H_p, W_p, N): can you index it through a transposed view, so that the loop reads the same?"),
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
                 "outside 0..C−1). A loop over the window works; could a cumulative sum along channels do without it?"),
            Stub("functions/normalization.py", "ChannelWindowSum.backward",
                 "the window sum is linear, so dx[c'] = Σ of gy[c] over the outputs c whose window contains c'. Which "
                 "window is that, seen from c'? Write it with this same Function, so it can be differentiated again."),
        ),
        ("tests/functions/test_normalization.py::*local_response*", "tests/functions/test_normalization.py::*lrn*"),
    ),
    "linear": Task(
        "the fully connected layer y = x Wᵀ + b: its forward and the three gradients you derive",
        (
            Stub("functions/linear.py", "LinearFunction.forward",
                 "x: (..., in) and w: (out, in) are arrays here; which product of x and w has shape (..., out)? "
                 "Then add b when there is one."),
            Stub("functions/linear.py", "LinearFunction.backward",
                 "write one output element y[r, o] = Σ_i x[r, i]·w[o, i] + b[o] (rows r of the flattened batch). "
                 "Which y's does x[r, i] touch, which does w[o, i] touch, which does b[o] touch? Each gradient is a "
                 "sum over those, weighted by gy: write each sum as a matrix product or a reduction and check its "
                 "shape against x, w and b. gy and self.inputs are Tensors; flatten the leading dims of x and gy for "
                 "dw and db. Return None where self.needs_input_grad is False (and for b when there is no bias)."),
        ),
        ("tests/functions/test_dropout_linear_losses.py::test_linear*",),
    ),
    "dropout": Task(
        "inverted dropout: zero with probability p, scale the survivors by 1/(1 − p)",
        (
            Stub("functions/dropout.py", "_keep_mask",
                 "uniform numbers from minidl's generator (random.generator(xp)): which of them should keep their "
                 "unit so that each is dropped with probability p, and by how much must a survivor be scaled so "
                 "that the expected output equals the input? Return the mask in like.dtype."),
            Stub("functions/dropout.py", "ScaleByMask.forward", "multiply by the stored mask."),
            Stub("functions/dropout.py", "ScaleByMask.backward",
                 "the forward is a multiplication by a constant: what is its derivative?"),
        ),
        ("tests/functions/test_dropout_linear_losses.py::test_dropout*",),
    ),
    "cross_entropy": Task(
        "log-softmax, the numerically stable heart of the cross-entropy loss",
        (
            Stub("functions/softmax.py", "LogSoftmax.forward",
                 "log softmax(x) = x − log Σ exp x along self.dim. What goes wrong when exp meets x = 1000, and "
                 "which constant can you subtract from x first without changing the result?"),
            Stub("functions/softmax.py", "LogSoftmax.backward",
                 "y_i = x_i − log Σ_k exp x_k: what is ∂y_i/∂x_j (it involves softmax(x)_j)? Sum gy_i times it over i. "
                 "softmax(x) is self.output().exp(); write it with Tensor operations."),
        ),
        ("tests/functions/test_dropout_linear_losses.py::test_cross_entropy*",
         "tests/functions/test_dropout_linear_losses.py::test_nll_loss"),
    ),
}
