"""Differentiable collectives (``torch.distributed.nn.functional``).

``all_reduce`` here returns a new tensor and has a backward: if every rank computes
y = x₀ + x₁ + … + x_{N−1} (x_r living on rank r) and the total loss is the sum of the ranks'
losses, then ∂L/∂x_r = Σ_{r'} ∂L_{r'}/∂y — the all-reduced sum of the ranks' upstream gradients.
So the backward of a sum all-reduce is a sum all-reduce (and of AVG, an AVG).  SyncBatchNorm
builds its global batch statistics out of this one op, and autograd derives its backward.
"""
from ...autograd import Function
from .. import distributed_c10d as c10d


class AllReduce(Function):
    """y = op over ranks of x (op SUM or AVG); dx = the same op over ranks of dy.

    Shapes: x: any shape (the same on every rank) → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, op):
        self.op = op

    def forward(self, x):
        pg = c10d._default_group()
        y = x.copy()  # a new array: x keeps its value, as a differentiable op must
        name, average = c10d._backend_op(self.op, y, "all_reduce")
        pg.all_reduce(y, name).wait()
        if average:
            y /= pg.world_size
        return y

    def backward(self, gy):
        return AllReduce(self.op)(gy)


def all_reduce(tensor, op=c10d.ReduceOp.SUM, group=None):
    """A new tensor: op (ReduceOp.SUM or ReduceOp.AVG) over ranks of ``tensor``, with a gradient."""
    c10d._default_group(group)
    op = c10d.ReduceOp(op)
    if op not in (c10d.ReduceOp.SUM, c10d.ReduceOp.AVG):
        raise ValueError(f"all_reduce: the differentiable all_reduce supports ReduceOp.SUM and AVG, got {op}")
    return AllReduce(op)(tensor)
