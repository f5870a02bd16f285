"""``SyncBatchNorm``: batch norm whose batch statistics are those of the global batch, over all ranks.

With DistributedDataParallel each rank sees only its shard of the batch; a plain BatchNorm
would normalise each shard by its own mean and variance, which differs from training on the
whole batch (and is noisy when shards are small).  SyncBatchNorm sums over the ranks:

    mean = (Σ_ranks Σ_local x) / M,     var = (Σ_ranks Σ_local (x − mean)²) / M      (M: global count)

using the differentiable all-reduce of ``minidl.distributed.nn.functional`` (whose backward is
an all-reduce of the upstream gradients), so autograd derives the correct backward — the same
two sums PyTorch's hand-written kernel all-reduces (Σ dy and Σ dy·x̂).  Eval mode, or a single
process, is plain batch norm.  (Ioffe & Szegedy 2015; the cross-GPU form: Peng et al., MegDet, 2018.)
"""
from .. import autograd, creation
from .. import distributed as dist
from ..distributed.nn.functional import all_reduce
from ..tensor import Tensor
from .module import Module
from .normalization import _BatchNorm


class SyncBatchNorm(_BatchNorm):
    """Batch norm with the statistics of the global batch, summed over all ranks.

    Same arguments as BatchNorm2d plus ``process_group`` (only the default group exists).
    Input: (N, C) or (N, C, *) with a different N allowed on each rank; output: the input's shape.
    """

    expected_dims = (2, 3, 4, 5)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def forward(self, x):
        if not self.training or not dist.is_initialized() or dist.get_world_size(self.process_group) == 1:
            return super().forward(x)
        if x.ndim not in self.expected_dims or x.shape[1] != self.num_features:
            return super().forward(x)  # raises its clear shape error
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        count = Tensor(creation.tensor(float(x.numel() // x.shape[1]), dtype=x.dtype).array)
        dist.all_reduce(count)
        total = float(count.item())
        if total <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel when training, got {total:g} over all ranks")
        mean = all_reduce(x.sum(axes)) / total
        centered = x - mean.reshape(shape)
        var = all_reduce((centered * centered).sum(axes)) / total  # biased, as batch norm uses
        y = centered * (var + self.eps).rsqrt().reshape(shape)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        if self.track_running_stats:
            self._update_running_stats(mean, var, total)
        return y

    def _update_running_stats(self, mean, var, total):
        self.num_batches_tracked.array += 1
        momentum = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked.array)
        with autograd.no_grad():
            self.running_mean.array[...] = (1 - momentum) * self.running_mean.array + momentum * mean.array
            unbiased = var.array * (total / (total - 1))
            self.running_var.array[...] = (1 - momentum) * self.running_var.array + momentum * unbiased

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every BatchNorm*d replaced by a SyncBatchNorm holding the same parameters
        and buffers (a BatchNorm module itself is returned converted)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            for name in ("weight", "bias"):
                if module._parameters.get(name) is not None:
                    converted._parameters[name] = module._parameters[name]
            for name, value in module._buffers.items():
                converted._buffers[name] = value
            converted.train(module.training)
            return converted
        for name, child in list(module._modules.items()):
            if isinstance(child, Module):
                setattr(module, name, cls.convert_sync_batchnorm(child, process_group))
        return module
