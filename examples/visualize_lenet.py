"""Look inside a trained LeNet-5: its filters, its feature maps, its training curves, and which
pixels its decisions depend on.

    MINIDL_DATA=path/to/data python examples/visualize_lenet.py --out pictures/
    MINIDL_DATA=path/to/data python examples/visualize_lenet.py --checkpoint lenet.npz --out pictures/

Trains LeNet-5 for --epochs (or loads a checkpoint written by ``train_lenet_mnist.py --save``),
prints the per-layer statistics of one test batch (activation mean/std, share of zeros,
share of dead units, gradient norm) and writes to --out:
    curves.png              loss and accuracy per epoch
    filters.png             the six 5×5 filters of conv1 (red: weight > 0, blue: < 0)
    feature_maps_conv1.png  the six 28×28 maps conv1+ReLU makes of one test digit
    feature_maps_conv2.png  the sixteen 10×10 maps of conv2+ReLU
    saliency.png            |∂(class score)/∂pixel| for ten test digits
Needs matplotlib (pip install "minidl[examples]").
"""
import argparse
import pathlib
import sys

import minidl
from minidl import nn
from minidl.data import MNIST
from minidl.data import transforms as T
from minidl.models import lenet5

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import train_lenet_mnist  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--out", default="pictures", help="folder for the PNG files")
    parser.add_argument("--checkpoint", help="a checkpoint from train_lenet_mnist.py --save (else train now)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs to train when no checkpoint is given")
    parser.add_argument("--train-limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--data-dir", default=None, help="folder holding mnist/ (default: $MINIDL_DATA)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def trained_lenet(args):
    """LeNet-5 and its training history: from ``args.checkpoint``, or trained here for ``args.epochs``."""
    if args.checkpoint:
        checkpoint = minidl.load(args.checkpoint)
        model = lenet5()
        model.load_state_dict(checkpoint["model"])
        return model, checkpoint.get("history", [])
    argv = ["--epochs", str(args.epochs), "--seed", str(args.seed), "--test-limit", "2000"]
    argv += ["--data-dir", args.data_dir] if args.data_dir else []
    argv += ["--train-limit", str(args.train_limit)] if args.train_limit else []
    argv += ["--quiet"] if args.quiet else []
    return train_lenet_mnist.main(argv)


def test_images(data_dir, count):
    """The first ``count`` MNIST test images, normalised as in training: (count, 1, 28, 28) and labels."""
    test_set = MNIST(data_dir, train=False, transform=T.Compose([T.ToTensor(), T.Normalize(train_lenet_mnist.MEAN, train_lenet_mnist.STD)]))
    images, labels = zip(*(test_set[i] for i in range(count)))
    return minidl.stack(images), minidl.tensor(list(labels))


def main(argv=None):
    args = parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model, history = trained_lenet(args)
    images, labels = test_images(args.data_dir, 64)

    # One forward and backward pass with every layer's output and gradient captured.
    model.eval()
    with minidl.inspect.capture(model) as seen:
        loss = nn.functional.cross_entropy(model(images), labels)
        loss.backward()
    print(seen.report())
    model.zero_grad()

    written = []
    if history:
        written.append(minidl.inspect.plot_history(history, out / "curves.png"))
    written.append(minidl.inspect.plot_filters(model.features[0].weight, out / "filters.png", title="conv1: six 5×5 filters"))
    written.append(minidl.inspect.plot_feature_maps(seen.activations["features.1"][:1], out / "feature_maps_conv1.png",
                                                    title=f"conv1 + ReLU on a test '{int(labels[0].item())}' (6 × 28×28)"))
    written.append(minidl.inspect.plot_feature_maps(seen.activations["features.4"][:1], out / "feature_maps_conv2.png",
                                                    title="conv2 + ReLU (16 × 10×10)"))
    predicted = model(images[:10]).argmax(1).numpy()
    heat = minidl.inspect.saliency(model, images[:10])
    written.append(minidl.inspect.plot_heatmaps(images[:10], heat, out / "saliency.png", titles=[f"predicted {p}" for p in predicted],
                                                title="saliency: |∂ score / ∂ pixel| for the predicted class"))
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main()
