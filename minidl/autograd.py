"""Reverse-mode automatic differentiation (define-by-run).

Every operation on tensors that require gradients records one ``Function`` node: which
tensors went in, what must be kept for the backward pass.  The outputs point back to the
node through ``tensor.creator``.  ``loss.backward()`` then walks that graph from the loss
to the leaves in topological order, calling each node's ``backward`` with the gradient of
the loss with respect to the node's outputs and receiving the gradients with respect to
its inputs (the chain rule, one node at a time).

``Function.forward`` works on raw NumPy/CuPy arrays.  ``Function.backward`` is written with
differentiable ``Tensor`` operations, so when ``create_graph=True`` the backward pass is itself
recorded and can be differentiated again (higher-order gradients).  See docs/autograd.md.
"""
import contextlib
import weakref

import numpy as np

from . import backend, dtypes, versions
from .tensor import Tensor

_grad_mode = {"enabled": True}

RELEASED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or to use values that backward "
    "already freed): {name} was released by an earlier backward. Pass retain_graph=True to "
    "the first backward() if you need to run backward through the same graph twice."
)


def is_grad_enabled():
    return _grad_mode["enabled"]


class set_grad_enabled(contextlib.ContextDecorator):
    """Context manager (and decorator) that turns graph recording on or off."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = _grad_mode["enabled"]
        _grad_mode["enabled"] = self.mode  # takes effect at once, as torch.set_grad_enabled(False) does

    def __enter__(self):
        _grad_mode["enabled"] = self.mode
        return self

    def __exit__(self, *exc_info):
        _grad_mode["enabled"] = self.previous
        return False


class no_grad(contextlib.ContextDecorator):
    """Inside ``with no_grad():`` no graph is recorded (evaluation, optimizer updates)."""

    def __enter__(self):
        self.previous = _grad_mode["enabled"]
        _grad_mode["enabled"] = False
        return self

    def __exit__(self, *exc_info):
        _grad_mode["enabled"] = self.previous
        return False


class enable_grad(contextlib.ContextDecorator):
    """Turn recording back on inside a ``no_grad`` block."""

    def __enter__(self):
        self.previous = _grad_mode["enabled"]
        _grad_mode["enabled"] = True
        return self

    def __exit__(self, *exc_info):
        _grad_mode["enabled"] = self.previous
        return False


class Function:
    """One differentiable operation: a node of the graph.

    Subclasses implement
      ``forward(*arrays) -> array or tuple of arrays``  (raw NumPy/CuPy arrays), and
      ``backward(*grad_outputs) -> gradient Tensor, or tuple with one entry per input``
      (``None`` for an input that gets no gradient), written with Tensor operations.

    Inside ``backward``, ``self.inputs`` are the input Tensors and ``self.output(i)`` is the i-th
    output Tensor (for ops whose derivative is cheapest in terms of the output, such as exp or
    sigmoid; those set ``saves_outputs = True``).  Anything else needed is stored on ``self``
    during ``forward``.  After backward, the node drops all of it (``release``), unless the graph
    is retained.
    """

    saves_outputs = False  # keep the output arrays for backward (see ``output``)
    reads_inputs = True  # backward reads the inputs' values: they must not change in place before it (versions.py)
    returns_view = False  # the outputs share the input's memory (reshape, indexing...): see inplace.py
    differentiable = True  # comparisons, argmax... set False: their outputs never require grad
    inputs = None
    _released = False

    def __call__(self, *inputs):
        arrays = [t.array for t in inputs]
        backend.check_same_device(arrays, self.name)
        outputs = self.forward(*arrays)
        single = not isinstance(outputs, tuple)
        if single:
            outputs = (outputs,)
        if any(type(y) is not np.ndarray and isinstance(y, np.generic) for y in outputs):
            # NumPy reductions return scalars (np.float32), not 0-d arrays: wrap them back.
            outputs = tuple(np.asarray(y) if isinstance(y, np.generic) else y for y in outputs)
        record = (
            self.differentiable and _grad_mode["enabled"] and any(t.requires_grad for t in inputs)
        )
        results = tuple(Tensor._wrap(y, record and dtypes.is_floating(y.dtype)) for y in outputs)
        if self.returns_view:
            for result in results:
                result._is_view = True
        if record:
            self.inputs = inputs
            # The edges are fixed now: a later in-place op may make an input tensor the output of a
            # newer node, but this node's gradient must still flow to the node that made its value.
            self.input_edges = tuple((t.creator, t.output_index) for t in inputs)
            self.needs_input_grad = tuple(t.requires_grad for t in inputs)
            self.input_versions = tuple(versions.version(t.array) if read else None
                                        for t, read in zip(inputs, self._inputs_read()))
            self.output_refs = [weakref.ref(r) for r in results]
            self.output_meta = [(y.shape, y.dtype) for y in outputs]
            if self.saves_outputs:
                self.output_arrays = outputs
                self.output_versions = tuple(versions.version(y) for y in outputs)
            for index, result in enumerate(results):
                result.creator = self
                result.output_index = index
        return results[0] if single else results

    def _inputs_read(self):
        """Which inputs' values backward will read.  "bilinear" ops (x·w: mul, matmul, linear, conv)
        read each of their first two inputs only for the *other* one's gradient."""
        if self.reads_inputs == "bilinear":
            needs = self.needs_input_grad
            return (needs[1], needs[0]) + (False,) * (len(needs) - 2)
        return (bool(self.reads_inputs),) * len(self.needs_input_grad)

    @property
    def name(self):
        return type(self).__name__

    def forward(self, *arrays):
        raise NotImplementedError(f"{self.name} must implement forward(*arrays)")

    def backward(self, *grad_outputs):
        raise NotImplementedError(f"{self.name} does not implement backward")

    def output(self, index=0):
        """The index-th output as a Tensor connected to this node (for use inside backward).

        The node keeps only the output *array* (a strong reference to the output Tensor would
        make a reference cycle); if the user dropped the Tensor we rebuild one around the same
        array, still pointing at this node, so higher-order gradients flow through it.
        """
        tensor = self.output_refs[index]()
        if tensor is None:
            tensor = Tensor._wrap(self.output_arrays[index], True)
            tensor.creator, tensor.output_index = self, index
        return tensor

    def release(self):
        """Free everything saved for backward (input tensors, arrays, outputs)."""
        self.__dict__.clear()
        self._released = True

    def __repr__(self):
        return f"<{self.name}>"


# ----------------------------------------------------------------------------------------
# The backward engine
# ----------------------------------------------------------------------------------------

def _collect_graph(roots):
    """All nodes reachable from ``roots`` and, for each, how many recorded uses its outputs
    have inside that subgraph (its dependency count).  Iterative: a chain of 10,000 ops would
    overflow Python's recursion limit if this were written recursively."""
    dependencies = {}
    stack = []
    for root in roots:
        if root.creator is not None and root.creator not in dependencies:
            dependencies[root.creator] = 0
            stack.append(root.creator)
    while stack:
        node = stack.pop()
        if node._released:
            raise RuntimeError(RELEASED_GRAPH_MESSAGE.format(name=node.name))
        for parent, _ in node.input_edges:
            if parent is None:
                continue
            if parent in dependencies:
                dependencies[parent] += 1
            else:
                dependencies[parent] = 1
                stack.append(parent)
    return dependencies


def _add(total, grad):
    return grad if total is None else total + grad


def _run_hooks(hooks, grad):
    for hook in list(hooks.values()):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced if isinstance(replaced, Tensor) else Tensor(replaced)
    return grad


def _owned_by_this_leaf(array, given_to_leaves, seen_outside):
    """Whether a leaf may keep ``array`` as its .grad without copying it: the array owns its memory
    (it is not a view of another array), no other leaf of this backward got the same array, and no
    code outside autograd has seen it.  Then nothing else can change it or be changed through it.
    (PyTorch steals the gradient on the same condition, counted with references.)  Copying every
    gradient instead costs a pass over all parameters per step, and for VGG's 411 MB classifier
    weight the fresh pages made that copy take 0.07–1.4 s."""
    return getattr(array, "base", None) is None and given_to_leaves.count(id(array)) == 1 and id(array) not in seen_outside


def _check_gradient(node, position, tensor, grad):
    if grad.shape != tensor.shape:
        raise RuntimeError(
            f"{node.name}.backward returned a gradient of shape {grad.shape} for input {position}, "
            f"whose shape is {tensor.shape}"
        )
    if grad.dtype != tensor.dtype:
        # A float64 gradient for a float32 input would silently turn every gradient upstream into
        # float64 (twice the memory and time); PyTorch casts it back, we say where it came from.
        raise RuntimeError(
            f"{node.name}.backward returned a {grad.dtype} gradient for input {position}, "
            f"whose dtype is {tensor.dtype}; cast it in backward (gx.to(x.dtype))"
        )


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None, allow_unused=False):
    """Propagate ``root_grads`` from ``roots`` back through the graph.

    With ``inputs=None`` gradients are accumulated into the ``.grad`` of the leaves (what
    ``Tensor.backward`` does).  With a list of ``inputs`` their gradients are returned instead
    and no ``.grad`` is touched (what ``autograd.grad`` does).

    The algorithm: count, for every node, how many uses its outputs have (its dependencies); a
    node is *ready* when all of them have sent their gradient.  Take a ready node, call its
    backward with the summed gradients of its outputs, send the results to its inputs, and count
    down its parents; repeat until no node is ready.  Then hand the leaves their gradients.
    """
    dependencies = _collect_graph(roots)
    gradients = _Gradients(root_grads, inputs)
    for root, grad in zip(roots, root_grads):
        gradients.add(root, grad)
    ready = [node for node, count in dependencies.items() if count == 0]
    with set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            grad_outputs = gradients.take_outputs_of(node, create_graph)
            if any(g is not None for g in grad_outputs):
                for tensor, edge, grad in _call_backward(node, grad_outputs):
                    gradients.add(tensor, grad, edge)
            for parent, _ in node.input_edges:
                if parent is not None:
                    dependencies[parent] -= 1
                    if dependencies[parent] == 0:
                        ready.append(parent)
            if not retain_graph:
                node.release()
        gradients.deliver_to_leaves(create_graph)
    return None if inputs is None else gradients.captured_for_inputs(allow_unused)


def _call_backward(node, grad_outputs):
    """node.backward on its outputs' gradients (zeros for an output nobody used); yields
    (input tensor, its edge, gradient) for every input that needs one, after checking shape and dtype."""
    for index, grad in enumerate(grad_outputs):
        if grad is None:
            shape, dtype = node.output_meta[index]
            xp = backend.get_array_module(node.inputs[0].array)
            grad_outputs[index] = Tensor._wrap(xp.zeros(shape, dtype), False)
    versions.check_unchanged(node)
    input_grads = node.backward(*grad_outputs)
    if not isinstance(input_grads, tuple):
        input_grads = (input_grads,)
    for position, (tensor, edge, grad, needed) in enumerate(
            zip(node.inputs, node.input_edges, input_grads, node.needs_input_grad)):
        if needed and grad is not None:
            _check_gradient(node, position, tensor, grad)
            yield tensor, edge, grad


class _Gradients:
    """The gradients of one backward pass: those waiting for their node, the leaves' sums, and
    the bookkeeping of hooks, retained ``.grad``, captured ``inputs`` and who has seen which array."""

    def __init__(self, root_grads, inputs):
        self.pending = {}  # (node, output index) → gradient summed over the uses seen so far
        self.leaves = {}  # id(leaf) → (leaf, gradient summed so far)
        # Arrays that code outside autograd can see (roots' gradients, retained .grad, anything a
        # hook received or returned): a leaf must copy these, never adopt them (_store_leaf_grad).
        self.seen_outside = {id(grad.array) for grad in root_grads}
        self.wanted = None if inputs is None else {id(t): i for i, t in enumerate(inputs)}
        self.captured = [None] * (0 if inputs is None else len(inputs))

    def add(self, tensor, grad, edge=None):
        """Send ``grad`` along ``edge`` (the (node, output index) that made the value; a root's own)."""
        creator, index = (tensor.creator, tensor.output_index) if edge is None else edge
        if creator is None:
            entry = self.leaves.get(id(tensor))
            self.leaves[id(tensor)] = (tensor, grad if entry is None else entry[1] + grad)
        else:
            key = (creator, index)
            self.pending[key] = _add(self.pending.get(key), grad)

    def _run_hooks(self, hooks, grad):
        self.seen_outside.add(id(grad.array))
        grad = _run_hooks(hooks, grad)
        self.seen_outside.add(id(grad.array))
        return grad

    def take_outputs_of(self, node, create_graph):
        """The complete gradients of node's outputs (None where none arrived), after the output
        hooks ran; retained ``.grad`` and captured ``inputs`` get their copy on the way."""
        grads = []
        output_hooks = node.__dict__.get("output_hooks", {})
        for index, ref in enumerate(node.output_refs):
            grad = self.pending.pop((node, index), None)
            if grad is not None and output_hooks.get(index):
                grad = self._run_hooks(output_hooks[index], grad)
            tensor = ref()
            if tensor is not None and grad is not None:
                if tensor._retains_grad:
                    self.seen_outside.add(id(grad.array))
                    tensor.grad = _add(tensor.grad, grad if create_graph else grad.detach())
                if self.wanted is not None and id(tensor) in self.wanted:
                    self.captured[self.wanted[id(tensor)]] = grad
            grads.append(grad)
        return grads

    def deliver_to_leaves(self, create_graph):
        """Run the leaves' hooks, then capture (autograd.grad) or accumulate into ``.grad``."""
        given_to_leaves = [id(grad.array) for _, grad in self.leaves.values()]
        for tensor, grad in self.leaves.values():
            if tensor._hooks:
                grad = self._run_hooks(tensor._hooks, grad)
            if self.wanted is not None:
                if id(tensor) in self.wanted:
                    self.captured[self.wanted[id(tensor)]] = grad
                continue
            _store_leaf_grad(tensor, grad, create_graph, given_to_leaves, self.seen_outside)

    def captured_for_inputs(self, allow_unused):
        for index, grad in enumerate(self.captured):
            if grad is None and not allow_unused:
                raise RuntimeError(
                    f"autograd.grad: inputs[{index}] was not used to compute the outputs "
                    "(or does not require grad); pass allow_unused=True to get None for it"
                )
        return tuple(self.captured)


def _store_leaf_grad(tensor, grad, create_graph, given_to_leaves, seen_outside):
    """The leaf-gradient rule: .grad = grad the first time (adopting the array when nobody else can
    see it, else a copy), .grad + grad after that; with create_graph the gradient keeps its graph."""
    if not create_graph:
        grad = grad.detach()
    if tensor.grad is None:
        if create_graph or _owned_by_this_leaf(grad.array, given_to_leaves, seen_outside):
            tensor.grad = grad
        else:
            # Copy: the same array may be the gradient of several tensors (a + b passes one array
            # to both) or be held by the caller, and .grad is updated in place (optimizers, clipping).
            tensor.grad = Tensor._wrap(grad.array.copy(), False)
    else:
        tensor.grad = tensor.grad + grad if create_graph else Tensor._wrap(tensor.grad.array + grad.array, False)


def _default_root_grad(output, grad, position):
    if grad is None:
        if output.numel() != 1:
            raise RuntimeError(
                f"grad can be created implicitly only for scalar outputs, but output {position} "
                f"has shape {output.shape}; pass gradient= (a tensor of that shape)"
            )
        xp = backend.get_array_module(output.array)
        return Tensor._wrap(xp.ones(output.shape, output.dtype), False)
    if not isinstance(grad, Tensor):
        grad = Tensor(grad, dtype=output.dtype, device=output.device)
    if grad.shape != output.shape:
        raise RuntimeError(
            f"gradient for output {position}: expected shape {output.shape}, got {grad.shape}"
        )
    if grad.dtype != output.dtype:  # like PyTorch: a float64 gradient for a float32 output is cast
        grad = grad.to(output.dtype)
    return grad


def _check_roots(outputs, caller):
    for position, output in enumerate(outputs):
        if not isinstance(output, Tensor):
            raise TypeError(f"{caller}: outputs[{position}] must be a Tensor, got {type(output).__name__}")
        if not output.requires_grad:
            raise RuntimeError(
                f"{caller}: outputs[{position}] does not require grad and has no graph "
                "(was it computed under no_grad(), or from tensors without requires_grad=True?)"
            )


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad`` (``torch.autograd.backward``)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None else [grad_tensors]
    _check_roots(tensors, "backward")
    grads = [_default_root_grad(t, g, i) for i, (t, g) in enumerate(zip(tensors, grad_tensors))]
    retain_graph = create_graph if retain_graph is None else retain_graph
    run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` (``torch.autograd.grad``).

    Nothing is accumulated into ``.grad``.  With ``create_graph=True`` the returned gradients
    are themselves part of a graph and can be differentiated again.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single_input = isinstance(inputs, Tensor)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"autograd.grad: got {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    _check_roots(outputs, "autograd.grad")
    for position, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(f"autograd.grad: inputs[{position}] must be a Tensor that requires grad")
    grads = [_default_root_grad(t, g, i) for i, (t, g) in enumerate(zip(outputs, grad_outputs))]
    retain_graph = create_graph if retain_graph is None else retain_graph
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, allow_unused=allow_unused)
    if not create_graph:
        result = tuple(None if g is None else g.detach() for g in result)
    return result
