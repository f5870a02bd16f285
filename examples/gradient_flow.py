"""Vanishing gradients, and how skip connections stop them: one training step of two deep CNNs.

    MINIDL_DATA=path/to/data python examples/gradient_flow.py --depth 30 --out gradient_flow.png

Both networks stack --depth blocks of the same 3×3 convolution and ReLU on a batch of
Fashion-MNIST images, with identical initial weights; the only difference is the shortcut:

    plain block:     y = conv(relu(x))
    residual block:  y = x + conv(relu(x))          (He et al. 2016, pre-activation form)

By the chain rule, the gradient reaching block k is the product of the Jacobians of all blocks
after it.  In the plain network each factor shrinks it (PyTorch's default initialisation keeps
the weights small), so the product vanishes exponentially with depth.  In the residual network
each factor is (I + ∂conv/∂x): the identity carries the gradient through unchanged, and the
first layers learn as fast as the last.  The script prints the gradient norm of every block's
weight and writes a bar chart of both (needs matplotlib).
"""
import argparse

import minidl
from minidl import nn
from minidl.data import DataLoader, FashionMNIST
from minidl.data import transforms as T


class Block(nn.Module):
    """(N, C, H, W) → (N, C, H, W): conv(relu(x)), plus x itself when ``residual``."""

    def __init__(self, channels, residual):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.residual = residual

    def forward(self, x):
        out = self.conv(x.relu())
        return x + out if self.residual else out


def deep_cnn(depth, residual, width=16, num_classes=10):
    """A stem convolution, ``depth`` blocks, global average pooling and a linear classifier."""
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1),
        *[Block(width, residual) for _ in range(depth)],
        nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, num_classes),
    )


def one_step_gradient_flow(model, images, labels):
    """Forward, loss, backward; return the per-layer weight-gradient norms (input side first)."""
    model.zero_grad()
    nn.functional.cross_entropy(model(images), labels).backward()
    return minidl.inspect.gradient_flow(model)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--depth", type=int, default=30, help="number of blocks")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", default="gradient_flow.png")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    data = FashionMNIST(args.data_dir, train=True, transform=T.Compose([T.ToTensor(), T.Normalize((0.2860,), (0.3530,))]))
    images, labels = next(iter(DataLoader(data, batch_size=args.batch_size, shuffle=True, seed=args.seed)))

    minidl.manual_seed(args.seed)
    plain = deep_cnn(args.depth, residual=False)
    residual = deep_cnn(args.depth, residual=True)
    residual.load_state_dict(plain.state_dict())  # the same weights: only the shortcuts differ

    flows = {"plain": one_step_gradient_flow(plain, images, labels),
             "residual": one_step_gradient_flow(residual, images, labels)}
    print(f"{'layer':<16} {'plain ‖∂L/∂W‖':>15} {'residual ‖∂L/∂W‖':>18}")
    for (name, plain_norm), (_, residual_norm) in zip(flows["plain"], flows["residual"]):
        print(f"{name:<16} {plain_norm:>15.3e} {residual_norm:>18.3e}")
    for label, flow in flows.items():
        first, last = flow[0][1], flow[-1][1]
        print(f"{label}: the first layer gets {first / last:.2e} × the gradient norm of the last")
    try:
        minidl.inspect.plot_gradient_flow(flows, args.out, title=f"gradient norms after one step, depth {args.depth}")
        print(f"wrote {args.out}")
    except ImportError as error:
        print(f"no picture: {error}")
    return flows


if __name__ == "__main__":
    main()
