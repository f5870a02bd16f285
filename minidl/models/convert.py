"""Convert a PyTorch checkpoint to a minidl one (on a machine where torch is installed):

    python -m minidl.models.convert resnet18.pth resnet18.npz

The .pth is read with ``torch.load(weights_only=True)`` (no arbitrary code), a ``state_dict``
nested under 'state_dict' or 'model' is found, and the arrays are written with ``minidl.save``.
"""
import argparse
import sys

from ..serialization import save
from .torch_weights import from_torch


def main(argv=None):
    parser = argparse.ArgumentParser(description="Convert a PyTorch state_dict (.pth) to a minidl checkpoint (.npz)")
    parser.add_argument("source", help="a .pth/.pt file holding a state_dict")
    parser.add_argument("destination", help="the .npz file to write")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("convert: PyTorch is needed to read .pth files; pip install torch", file=sys.stderr)
        return 2
    checkpoint = torch.load(args.source, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model"):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
    state = from_torch(checkpoint)
    save(dict(state), args.destination)
    print(f"wrote {len(state)} tensors to {args.destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
