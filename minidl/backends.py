"""``minidl.backends``: the switches PyTorch scripts set on ``torch.backends`` (``cudnn.benchmark = True``).

minidl has no cuDNN: the flags are kept so that such scripts run unchanged, and documented as
having no effect.  (minidl's own switch for its fast code paths is ``minidl.use_fast_paths``.)
"""
import types

#: ``cudnn.benchmark`` (auto-tune convolution algorithms), ``cudnn.deterministic`` (choose only
#: deterministic ones), ``cudnn.enabled``: accepted, no effect — minidl's convolutions are
#: deterministic whatever they are set to.
cudnn = types.SimpleNamespace(benchmark=False, deterministic=False, enabled=True, allow_tf32=True,
                              is_available=lambda: False, version=lambda: None)
