"""``minidl.backends``: the switches PyTorch scripts set on ``torch.backends`` (``cudnn.benchmark = True``,
``import torch.backends.cudnn as cudnn``).

minidl has no cuDNN: the flags are kept so that such scripts run unchanged, and documented as
having no effect.  (minidl's own switch for its fast code paths is ``minidl.use_fast_paths``.)
"""
from . import cudnn  # noqa: F401
