"""``DataParallel``: PyTorch's single-process wrapper that splits a batch over several GPUs.

On one device (the CPU, or one GPU) PyTorch's DataParallel simply runs the wrapped module; minidl
does the same, so a script that wraps its model runs unchanged: ``model.module`` is the model,
and the state dict keys gain the ``module.`` prefix, as in PyTorch.  Splitting over several GPUs
is not implemented yet: asking for more than one device raises a clear error.
"""
from ...backend import cuda_device_count
from ..module import Module


class DataParallel(Module):
    """Wraps ``module``; ``forward`` calls it.  device_ids: None or a list of at most one device."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: expected an nn.Module, got {type(module).__name__}")
        devices = list(range(cuda_device_count())) if device_ids is None else list(device_ids)
        if len(devices) > 1:
            raise NotImplementedError(
                f"DataParallel: splitting a batch over {len(devices)} GPUs is not implemented in minidl yet; "
                "pass device_ids=[0] (or run on one device), or train with one process per GPU: "
                "nn.parallel.DistributedDataParallel with init_process_group('nccl') (docs/distributed.md)")
        self.module, self.device_ids, self.output_device, self.dim = module, devices, output_device, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
