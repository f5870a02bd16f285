"""``minidl.summary(model, input_size)``: every layer's output shape, parameters and multiply-adds.

MACs (multiply–accumulate operations) are counted for the layers that dominate a CNN's cost —
convolutions (output elements × C_in/groups × kh × kw) and linear layers (output elements ×
in_features); normalisation, activation and pooling layers are listed with 0.
"""
import numpy as np

from .. import autograd, creation, nn


class ModelSummary:
    def __init__(self, rows, input_size, total_params, trainable_params):
        self.rows, self.input_size = rows, input_size
        self.total_params, self.trainable_params = total_params, trainable_params
        self.total_macs = sum(r["macs"] for r in rows)
        self.activation_bytes = sum(r["activation_bytes"] for r in rows)

    def __str__(self):
        header = f"{'layer':<40} {'type':<20} {'output shape':<22} {'params':>12} {'MACs':>15}"
        lines = [header, "-" * len(header)]
        for r in self.rows:
            lines.append(f"{r['name'][:40]:<40} {r['type'][:20]:<20} {str(r['shape'])[:22]:<22} {r['params']:>12,} {r['macs']:>15,}")
        lines += [
            "-" * len(header),
            f"input size {self.input_size}",
            f"total parameters      {self.total_params:,}",
            f"trainable parameters  {self.trainable_params:,}",
            f"forward MACs          {self.total_macs:,} ({self.total_macs / 1e9:.2f} G)",
            f"activation memory     {self.activation_bytes / 2**20:.1f} MiB (outputs of the listed layers)",
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _macs(module, inputs, output):
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return output.numel() * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.ConvTranspose2d):
        kh, kw = module.kernel_size
        return inputs[0].numel() * (module.out_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def summary(model, input_size, dtype=None, device="cpu", print_table=True):
    """Run one forward pass on zeros of ``input_size`` ((C, H, W) → batch 1, or (N, C, H, W)) in eval
    mode, without recording a graph, and tabulate every leaf layer."""
    input_size = tuple(input_size)
    if len(input_size) == 3:
        input_size = (1,) + input_size
    rows, handles = [], []
    for name, module in model.named_modules():
        if next(module.children(), None) is not None:
            continue  # only leaves: containers would double count

        def hook(module, inputs, output, name=name):
            out = output[0] if isinstance(output, tuple) else output
            own = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(dict(name=name, type=type(module).__name__, shape=tuple(out.shape), params=own,
                             macs=int(_macs(module, inputs, out)), activation_bytes=out.numel() * out.element_size()))

        handles.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with autograd.no_grad():
            model(creation.zeros(*input_size, dtype=dtype, device=device))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    params = list(model.parameters())
    result = ModelSummary(rows, input_size, int(np.sum([p.numel() for p in params])),
                          int(np.sum([p.numel() for p in params if p.requires_grad])))
    if print_table:
        print(result)
    return result
