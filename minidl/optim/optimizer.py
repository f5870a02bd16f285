"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``state_dict``.

An optimizer holds *parameter groups* — lists of parameters sharing hyper-parameters (a
different learning rate for a pretrained backbone, no weight decay for biases…) — and, for
every parameter, a *state* dict (momentum buffers, moment estimates, step counts).  Updates
happen on the raw arrays in place, under ``no_grad``, so Parameters keep their identity.
"""
import copy

from .. import autograd, backend, versions
from ..tensor import Tensor


# Elements per block in ``add_scaled_``: 4 MiB of float32, so the temporary stays in cache.
_BLOCK = 2**20


def add_scaled_(target, alpha, x):
    """``target += alpha · x`` in place, one block at a time.

    Written plainly, ``target += alpha * x`` first builds ``alpha * x`` — for VGG's 25088 × 4096
    classifier weight a fresh 411 MB array whose pages the OS must hand out on every step.  One
    reused block-sized temporary does the same arithmetic in half the time (87 → 39 ms measured).
    """
    if x.size <= _BLOCK or not (target.flags.c_contiguous and x.flags.c_contiguous):
        target += alpha * x
        return
    xp = backend.get_array_module(x)
    flat_target, flat_x = target.reshape(-1), x.reshape(-1)  # views, since both are contiguous
    scratch = xp.empty(_BLOCK, dtype=x.dtype)
    for start in range(0, x.size, _BLOCK):
        stop = min(start + _BLOCK, x.size)
        flat_target[start:stop] += xp.multiply(flat_x[start:stop], alpha, out=scratch[:stop - start])


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    def add_param_group(self, group):
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"{type(self).__name__}: can only optimize Tensors, got {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError(f"{type(self).__name__}: can't optimize a non-leaf Tensor")
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in group["params"]):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.array[...] = 0

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with autograd.enable_grad():
                loss = closure()
        with autograd.no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self.update(param, param.grad.array, self.state.setdefault(param, {}), group)
                        versions.bump(param.array)  # a graph that saved this parameter must not use it now
        return loss

    def update(self, param, grad, state, group):
        """Change ``param.array`` in place given its gradient array (subclasses implement the rule)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    # ------------------------------------------------------------ checkpoints
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]} — parameters are
        referred to by their position across groups, as in PyTorch."""
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                packed["params"].append(index_of[id(param)])
            groups.append(packed)
        state = {}
        for param, values in self.state.items():
            if id(param) in index_of:
                state[index_of[id(param)]] = {
                    k: (v.detach() if isinstance(v, Tensor) else v) for k, v in values.items()
                }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the checkpoint has {len(groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        params = []
        for saved, group in zip(groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: a parameter group has {len(saved['params'])} "
                    f"parameters in the checkpoint but {len(group['params'])} here"
                )
            params.extend(zip(saved["params"], group["params"]))
        by_index = dict(params)
        self.state = {}
        for index, values in state_dict["state"].items():
            param = by_index[int(index)]
            restored = {}
            for key, value in values.items():
                if isinstance(value, Tensor) or hasattr(value, "shape"):
                    array = value.array if isinstance(value, Tensor) else value
                    if tuple(array.shape) == tuple(param.shape) and array.ndim:
                        from ..backend import to_device

                        array = to_device(array, param.device).astype(param.dtype, copy=True)
                    value = Tensor(array) if array.ndim else array.item()
                restored[key] = value
            self.state[param] = restored
        for saved, group in zip(groups, self.param_groups):
            for key, value in saved.items():
                if key != "params":
                    group[key] = copy.deepcopy(value) if not isinstance(value, (list, tuple)) else type(value)(value)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def buffer(state, name, like):
    """The state array ``name`` (created as zeros shaped like ``like`` on first use)."""
    if name not in state:
        state[name] = Tensor._wrap(like * 0, False)
    return state[name].array
