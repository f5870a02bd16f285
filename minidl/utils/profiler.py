"""A profiler for students: where does a training step spend its time?

    with minidl.utils.profile(model) as prof:
        loss = loss_fn(model(x), y)
        loss.backward()
    print(prof)            # time per layer (forward, backward) and per op (forward, backward)

Per op: every ``Function``'s forward and backward are timed (exclusive time: an op's backward
that calls other ops counts only its own part).  Per layer: a module's forward is timed between
its pre- and post-forward hooks; its backward from the moment the gradient of its output arrives
to the moment the gradient of its input is ready (identity nodes mark both ends).  Layers whose
input needs no gradient (the first layer) have no end marker; their backward shows as "—".
"""
import collections
import time

from .. import autograd
from ..autograd import Function
from ..tensor import Tensor


class _Stamp(Function):
    """An identity node whose backward records the time under ``key``.

    Shapes: x: any shape → y: the same shape.
    """

    def __init__(self, record, key):
        self.record, self.key = record, key

    def forward(self, x):
        return x

    def backward(self, gy):
        self.record[self.key] = time.perf_counter()
        return gy


class Profile:
    def __init__(self, model=None):
        self.model = model
        self.op_forward = collections.defaultdict(float)
        self.op_backward = collections.defaultdict(float)
        self.op_calls = collections.Counter()
        self.layer_forward = collections.defaultdict(float)
        self.layer_backward = collections.defaultdict(float)
        self.layer_order = []
        self._handles = []
        self._starts = {}
        self._backward_marks = {}
        self._nested = []

    # ------------------------------------------------------------ op timing
    def _exclusive(self, table, name, work, *args):
        """Run ``work(*args)`` and add its *exclusive* time to ``table[name]``: time spent in ops
        it calls (conv's backward runs a transposed conv) is charged to those ops, not twice."""
        self._nested.append(0.0)
        started = time.perf_counter()
        try:
            return work(*args)
        finally:
            elapsed = time.perf_counter() - started
            children = self._nested.pop()
            table[name] += elapsed - children
            if self._nested:
                self._nested[-1] += elapsed

    def _timed_call(self, original):
        profile = self

        def call(function, *inputs):
            profile.op_calls[function.name] += 1
            return profile._exclusive(profile.op_forward, function.name, original, function, *inputs)

        return call

    def _timed_backward(self, original):
        profile = self

        def run(roots, grads, *args, **kwargs):
            backward_methods = {}

            def wrap(cls):
                if cls in backward_methods or cls.backward is Function.backward:
                    return
                method = cls.backward
                backward_methods[cls] = method

                def timed(node, *grad_outputs, method=method):
                    return profile._exclusive(profile.op_backward, node.name, method, node, *grad_outputs)

                cls.backward = timed

            for cls in _all_function_classes():
                wrap(cls)
            try:
                return original(roots, grads, *args, **kwargs)
            finally:
                for cls, method in backward_methods.items():
                    cls.backward = method

        return run

    # ------------------------------------------------------------ layer timing
    def _attach(self, model):
        for name, module in model.named_modules():
            if not name or next(module.children(), None) is not None:
                continue
            self.layer_order.append((name, type(module).__name__))

            def pre(module, args, name=name):
                self._starts[name] = time.perf_counter()
                if autograd.is_grad_enabled():
                    return tuple(_Stamp(self._backward_marks, (name, "end"))(a) if isinstance(a, Tensor) and a.requires_grad
                                 else a for a in args)
                return None

            def post(module, args, output, name=name):
                self.layer_forward[name] += time.perf_counter() - self._starts.pop(name)
                if isinstance(output, Tensor) and output.requires_grad:
                    return _Stamp(self._backward_marks, (name, "start"))(output)
                return None

            self._handles += [module.register_forward_pre_hook(pre), module.register_forward_hook(post)]

    def _collect_layer_backward(self):
        for name, _ in self.layer_order:
            start = self._backward_marks.pop((name, "start"), None)
            end = self._backward_marks.pop((name, "end"), None)
            if start is not None and end is not None:
                self.layer_backward[name] += end - start

    # ------------------------------------------------------------ context manager
    def __enter__(self):
        self._original_call = Function.__call__
        self._original_run = autograd.run_backward
        Function.__call__ = self._timed_call(self._original_call)
        timed_run = self._timed_backward(self._original_run)

        def run_and_collect(*args, **kwargs):
            try:
                return timed_run(*args, **kwargs)
            finally:
                self._collect_layer_backward()

        autograd.run_backward = run_and_collect
        if self.model is not None:
            self._attach(self.model)
        self._wall_start = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self._wall_start
        Function.__call__ = self._original_call
        autograd.run_backward = self._original_run
        for handle in self._handles:
            handle.remove()
        self._handles = []
        return False

    # ------------------------------------------------------------ report
    def table(self, top=15):
        lines = []
        if self.layer_order:
            lines.append(f"{'layer':<32} {'type':<18} {'forward ms':>11} {'backward ms':>12}")
            for name, kind in self.layer_order:
                backward = self.layer_backward.get(name)
                lines.append(f"{name[:32]:<32} {kind[:18]:<18} {1e3 * self.layer_forward.get(name, 0.0):>11.2f} "
                             + (f"{1e3 * backward:>12.2f}" if backward is not None else f"{'—':>12}"))
            lines.append("")
        total = sum(self.op_forward.values()) + sum(self.op_backward.values())
        lines.append(f"{'op':<28} {'calls':>6} {'forward ms':>11} {'backward ms':>12} {'share':>7}")
        ops = sorted(set(self.op_forward) | set(self.op_backward),
                     key=lambda k: -(self.op_forward.get(k, 0) + self.op_backward.get(k, 0)))
        for op in ops[:top]:
            spent = self.op_forward.get(op, 0.0) + self.op_backward.get(op, 0.0)
            lines.append(f"{op[:28]:<28} {self.op_calls.get(op, 0):>6} {1e3 * self.op_forward.get(op, 0.0):>11.2f} "
                         f"{1e3 * self.op_backward.get(op, 0.0):>12.2f} {100 * spent / max(total, 1e-12):>6.1f}%")
        lines.append(f"wall time inside the profiler: {1e3 * getattr(self, 'wall', 0.0):.1f} ms "
                     f"(ops, exclusive: {1e3 * total:.1f} ms; the rest is Python between ops)")
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def _all_function_classes():
    seen, stack = set(), [Function]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return seen


def profile(model=None):
    """``with profile(model) as prof: ...`` then ``print(prof)``; ``model`` adds the per-layer table."""
    return Profile(model)
