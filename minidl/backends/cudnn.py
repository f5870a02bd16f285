"""``torch.backends.cudnn``'s flags: ``benchmark`` (auto-tune convolution algorithms),
``deterministic`` (choose only deterministic ones), ``enabled``, ``allow_tf32`` — accepted, no
effect: minidl has no cuDNN, and its convolutions are deterministic whatever they are set to."""
benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available():
    """False: minidl does not use cuDNN."""
    return False


def version():
    """None: no cuDNN."""
    return None
