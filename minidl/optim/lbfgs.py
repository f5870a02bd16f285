"""L-BFGS (Liu & Nocedal 1989), with PyTorch's arguments, defaults, state and stopping rules.

A quasi-Newton method: it steps along d = −H·g, where H approximates the *inverse* Hessian from the
last m ≤ ``history_size`` steps s_i = x_{i+1} − x_i and gradient changes y_i = g_{i+1} − g_i.  H is
never formed; the two-loop recursion (Nocedal & Wright, *Numerical Optimization*, 2nd ed. 2006,
Algorithm 7.4) applies it to a vector in O(m·n):

    q ← v;   for i = newest … oldest:   α_i = ρ_i·s_iᵀq,   q ← q − α_i·y_i          (ρ_i = 1 / y_iᵀs_i)
    r ← γ·q,   γ = s_iᵀy_i / y_iᵀy_i of the newest pair                            (H₀ = γ·I, N&W eq. 7.20)
    for i = oldest … newest:   β = ρ_i·y_iᵀr,   r ← r + (α_i − β)·s_i               → r = H·v

A pair is kept only when y_iᵀs_i > 1e-10 (the curvature condition, which keeps H positive definite).

The step length t along d is either fixed — t = lr, and min(1, 1/‖g‖₁)·lr on the very first
iteration, when H knows nothing of the scale — or, with ``line_search_fn="strong_wolfe"``, one that
satisfies the strong Wolfe conditions (N&W eq. 3.7, Algorithms 3.5 and 3.6, cubic interpolation
eq. 3.59), with c₁ = 1e-4 and c₂ = 0.9:

    f(x + t·d) ≤ f(x) + c₁·t·gᵀd            (sufficient decrease)
    |∇f(x + t·d)ᵀd| ≤ c₂·|gᵀd|               (the slope has flattened enough)

All parameters are treated as one flat vector x, so there is a single parameter group.  Because
the loss is evaluated several times per ``step``, ``step(closure)`` needs a closure that clears the
gradients, recomputes the loss, calls backward and returns the loss.
"""
from typing import NamedTuple

from .. import autograd, backend, versions
from ..tensor import Tensor
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """``LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
    history_size=100, line_search_fn=None)``, PyTorch's signature.

    One ``step(closure)`` runs up to ``max_iter`` iterations and ``max_eval`` loss evaluations
    (default max_iter·5/4), and stops early when the largest gradient entry is ≤ tolerance_grad, or
    the step or the change in loss is below tolerance_change.  Returns the loss of the closure's
    first evaluation.  The state (PyTorch's keys, kept under the first parameter): ``func_evals``,
    ``n_iter``, ``d``, ``t``, ``old_dirs`` (the y_i), ``old_stps`` (the s_i), ``ro``, ``al``,
    ``H_diag`` (γ), ``prev_flat_grad``, ``prev_loss``.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if lr < 0:
            raise ValueError(f"LBFGS: invalid learning rate lr={lr}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups): pass one list of parameters")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------ the parameters as one flat vector x
    def _flat_grad(self):
        """g: every parameter's gradient flattened and joined (zeros for a parameter without one)."""
        xp = backend.get_array_module(self._params[0].array)
        return xp.concatenate([(p.grad.array if p.grad is not None else xp.zeros(p.shape, p.dtype)).reshape(-1)
                               for p in self._params])

    def _move(self, t, d):
        """x ← x + t·d, in place, parameter by parameter."""
        offset = 0
        for p in self._params:
            p.array += t * d[offset:offset + p.numel()].reshape(p.shape)
            versions.bump(p.array)  # a graph that saved this parameter must not use it now
            offset += p.numel()

    def _evaluate(self, closure):
        with autograd.enable_grad():
            return closure()

    def _evaluate_at(self, closure, x, t, d):
        """(f, g) at x + t·d, then the parameters back to x (the line search's φ(t) and its gradient)."""
        self._move(t, d)
        loss = float(self._evaluate(closure))
        g = self._flat_grad()
        for p, saved in zip(self._params, x):
            p.array[...] = saved
            versions.bump(p.array)
        return loss, g

    # ------------------------------------------------------------ one step
    def step(self, closure=None):
        if closure is None:
            raise TypeError("LBFGS.step: needs a closure that clears the gradients, computes the loss, calls "
                            "backward and returns the loss — L-BFGS evaluates it several times per step: "
                            "optimizer.step(closure)")
        group = self.param_groups[0]
        lr, tolerance_grad, tolerance_change = group["lr"], group["tolerance_grad"], group["tolerance_change"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = self._evaluate(closure)
        loss, evals = float(first_loss), 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if abs(g).max() <= tolerance_grad:  # already at a stationary point
            return first_loss

        memory = _Memory.from_state(state)
        d, t = memory.d, state.get("t")
        with autograd.no_grad():
            for iteration in range(1, max_iter + 1):
                state["n_iter"] += 1
                if state["n_iter"] == 1:  # no curvature known yet: steepest descent
                    d = -g
                    memory = _Memory([], [], [], 1.0, g, loss)
                else:
                    memory.remember(s=d * t, y=g - memory.prev_flat_grad, history_size=group["history_size"])
                    d = memory.two_loop(-g, state.setdefault("al", [None] * group["history_size"]))  # −H·g
                memory.prev_flat_grad, memory.prev_loss = g.copy(), loss

                t = min(1.0, 1.0 / float(abs(g).sum())) * lr if state["n_iter"] == 1 else lr
                slope = float(g @ d)  # gᵀd: negative along a descent direction
                if slope > -tolerance_change:
                    break

                if group["line_search_fn"] == "strong_wolfe":
                    x = [p.array.copy() for p in self._params]
                    start = _Point(0.0, loss, g, slope)
                    found, line_evals = strong_wolfe(lambda step: self._evaluate_at(closure, x, step, d),
                                                     start, t, d, max_ls=max_eval - evals)
                    t, loss, g = found.t, found.f, found.g
                    self._move(t, d)
                    converged = abs(g).max() <= tolerance_grad
                else:
                    self._move(t, d)
                    line_evals = 0
                    if iteration != max_iter:  # the last iteration's loss is not needed (PyTorch saves it too)
                        loss = float(self._evaluate(closure))
                        g = self._flat_grad()
                        converged = abs(g).max() <= tolerance_grad
                        line_evals = 1
                evals += line_evals
                state["func_evals"] += line_evals

                if (iteration == max_iter or evals >= max_eval or converged
                        or abs(d * t).max() <= tolerance_change or abs(loss - memory.prev_loss) < tolerance_change):
                    break
        memory.to_state(state, d, t)
        return first_loss


class _Memory:
    """The m most recent pairs (s_i, y_i) with ρ_i = 1/y_iᵀs_i, γ (``H_diag``), and the previous gradient and loss."""

    def __init__(self, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss, d=None):
        self.old_dirs, self.old_stps, self.ro, self.H_diag = old_dirs, old_stps, ro, H_diag  # y_i, s_i, ρ_i, γ
        self.prev_flat_grad, self.prev_loss, self.d = prev_flat_grad, prev_loss, d

    @classmethod
    def from_state(cls, state):
        arrays = {k: (v.array if isinstance(v, Tensor) else v) for k, v in state.items()}
        listed = [[v.array if isinstance(v, Tensor) else v for v in arrays.get(k) or []] for k in ("old_dirs", "old_stps")]
        return cls(*listed, list(arrays.get("ro") or []), arrays.get("H_diag"), arrays.get("prev_flat_grad"),
                   arrays.get("prev_loss"), arrays.get("d"))

    def to_state(self, state, d, t):
        wrap = lambda a: Tensor._wrap(a, False)  # noqa: E731
        state.update(d=wrap(d), t=t, old_dirs=[wrap(y) for y in self.old_dirs], old_stps=[wrap(s) for s in self.old_stps],
                     ro=list(self.ro), H_diag=self.H_diag, prev_flat_grad=wrap(self.prev_flat_grad),
                     prev_loss=self.prev_loss)

    def remember(self, s, y, history_size):
        """Keep (s, y) if yᵀs > 1e-10 (the curvature condition), dropping the oldest pair beyond ``history_size``."""
        ys = float(y @ s)
        if ys > 1e-10:
            if len(self.old_dirs) == history_size:
                del self.old_dirs[0], self.old_stps[0], self.ro[0]
            self.old_dirs.append(y)
            self.old_stps.append(s)
            self.ro.append(1.0 / ys)
            self.H_diag = ys / float(y @ y)  # γ = sᵀy / yᵀy

    def two_loop(self, v, alphas):
        """H·v by the two-loop recursion (N&W Algorithm 7.4); the α_i are written into ``alphas``
        (state['al'], as in PyTorch)."""
        q = v.copy()
        for i in reversed(range(len(self.old_dirs))):  # newest pair first
            alphas[i] = float(self.old_stps[i] @ q) * self.ro[i]
            q -= alphas[i] * self.old_dirs[i]
        r = q * self.H_diag  # H₀·q = γ·q
        for i in range(len(self.old_dirs)):  # oldest pair first
            beta = float(self.old_dirs[i] @ r) * self.ro[i]
            r += (alphas[i] - beta) * self.old_stps[i]
        return r


# ------------------------------------------------------------------ the strong Wolfe line search

class _Point(NamedTuple):
    """One trial step t along d: the loss f = φ(t), the gradient g there, and the slope φ'(t) = gᵀd."""

    t: float
    f: float
    g: object
    slope: float


def cubic_minimizer(a, b, bounds=None):
    """The minimiser of the cubic through two points of φ with their slopes (N&W eq. 3.59), clipped
    to ``bounds`` (default: between the two points); their midpoint when the cubic has no minimum.

        d₁ = φ'(a) + φ'(b) − 3·(φ(a) − φ(b)) / (a − b),    d₂ = √(d₁² − φ'(a)·φ'(b))
        t  = hi − (hi − lo)·(φ'(hi) + d₂ − d₁) / (φ'(hi) − φ'(lo) + 2·d₂)      (lo < hi: the two points in order)
    """
    lo, hi = (a, b) if a.t <= b.t else (b, a)
    low_bound, high_bound = bounds if bounds is not None else (lo.t, hi.t)
    d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.t - b.t)
    d2_square = d1 * d1 - a.slope * b.slope
    if d2_square < 0:
        return (low_bound + high_bound) / 2
    d2 = d2_square ** 0.5
    t = hi.t - (hi.t - lo.t) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2))
    return min(max(t, low_bound), high_bound)


def strong_wolfe(phi, start, t, d, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d meeting the strong Wolfe conditions, from ``start`` (t = 0); ``phi(t)`` → (f, g).

    Bracketing (N&W Algorithm 3.5): try t, and while it still decreases f enough and the slope is
    still negative, extrapolate by cubic interpolation into [t + 0.01·(t − t_prev), 10·t].  Once an
    interval must contain an acceptable step, zoom (Algorithm 3.6): interpolate inside it, keep the
    end with the lower loss, and stop when the strong Wolfe conditions hold.  At most ``max_ls``
    evaluations after the first.  Returns (the accepted _Point, the number of evaluations).
    """
    sufficient = lambda point: point.f <= start.f + c1 * point.t * start.slope  # noqa: E731
    flat = lambda point: abs(point.slope) <= -c2 * start.slope  # noqa: E731
    d_norm = float(abs(d).max())

    def evaluate(step):
        f, g = phi(step)
        return _Point(step, f, g, float(g @ d))

    previous, new, evals, tries = start, evaluate(t), 1, 0
    bracket = None
    while tries < max_ls:
        if not sufficient(new) or (tries > 1 and new.f >= previous.f):
            bracket = [previous, new]  # went too far: an acceptable step lies between them
            break
        if flat(new):
            return new, evals
        if new.slope >= 0:
            bracket = [previous, new]  # passed a minimum of φ
            break
        step = cubic_minimizer(previous, new, bounds=(new.t + 0.01 * (new.t - previous.t), new.t * 10))
        previous, new = new, evaluate(step)
        evals, tries = evals + 1, tries + 1
    if bracket is None:  # out of evaluations while still extrapolating
        bracket = [start, new]

    low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
    insufficient_progress = False
    while tries < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        step = cubic_minimizer(bracket[0], bracket[1])
        # Keep a step 10% of the interval away from its ends, unless the last zoom already moved well.
        left, right = min(p.t for p in bracket), max(p.t for p in bracket)
        margin = 0.1 * (right - left)
        if min(right - step, step - left) < margin:
            if insufficient_progress or step >= right or step <= left:
                step = right - margin if abs(step - right) < abs(step - left) else left + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = evaluate(step)
        evals, tries = evals + 1, tries + 1
        if not sufficient(new) or new.f >= bracket[low].f:
            bracket[high] = new  # the new point closes the interval from the high side
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
            continue
        done = flat(new)
        if not done and new.slope * (bracket[high].t - bracket[low].t) >= 0:
            bracket[high] = bracket[low]  # the minimum lies on the other side of the new point
        bracket[low] = new
        if done:
            break
    return bracket[low], evals
