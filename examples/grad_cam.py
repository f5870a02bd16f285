"""Grad-CAM: where in the image a trained network finds the evidence for a class.

    MINIDL_DATA=path/to/data python examples/grad_cam.py                      # LeNet-5 on MNIST
    MINIDL_DATA=path/to/data python examples/grad_cam.py --target 3           # "why would these be 3s?"
    MINIDL_DATA=path/to/data python examples/grad_cam.py --model resnet20 --checkpoint r20.npz
                                            # a checkpoint from train_fashion_mnist.py --model resnet20 --save

Trains the model briefly (or loads --checkpoint), then computes Grad-CAM (Selvaraju et al. 2017)
for ten test images at two layers and writes grad_cam.png: the images on top, then one row of
heat maps per layer.  It prints how much of each map's mass lies on the object (the pixels
brighter than the background, widened by one pixel).

What to look for: at a layer whose maps are as large as the image (LeNet's conv1, padded) the
heat sits on the strokes that make the digit; at a deeper, smaller layer (conv2: 10×10, no
padding) the map is coarse, and because Grad-CAM stretches it over the whole image while its
pixels really look at the central 20×20, it lands slightly off — pick layers knowingly.
"""
import argparse
import pathlib
import sys

import numpy as np

import minidl
from minidl.data import FashionMNIST, MNIST
from minidl.data import transforms as T

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import train_fashion_mnist  # noqa: E402
import train_lenet_mnist  # noqa: E402

LAYERS = {"lenet5": ["features.0", "features.3"], "resnet20": ["layer1", "layer3"]}
CLASSES = {"lenet5": [str(d) for d in range(10)],
           "resnet20": ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--model", choices=sorted(LAYERS), default="lenet5", help="lenet5 on MNIST, resnet20 on Fashion-MNIST")
    parser.add_argument("--checkpoint", help="a checkpoint written by the training example's --save (else train now)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs to train when no checkpoint is given")
    parser.add_argument("--train-limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--layers", help=f"comma-separated layer names (default: {LAYERS})")
    parser.add_argument("--target", type=int, default=None, help="explain this class (default: each image's predicted class)")
    parser.add_argument("--out", default="grad_cam.png")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def trained_model(args):
    if args.checkpoint:
        model = minidl.models.get_model(args.model, num_classes=10, in_channels=1)
        model.load_state_dict(minidl.load(args.checkpoint)["model"])
        return model
    argv = ["--epochs", str(args.epochs)] + (["--quiet"] if args.quiet else [])
    argv += ["--data-dir", args.data_dir] if args.data_dir else []
    argv += ["--train-limit", str(args.train_limit)] if args.train_limit else []
    if args.model == "lenet5":
        model, _ = train_lenet_mnist.main(argv + ["--test-limit", "2000"])
    else:
        model, _ = train_fashion_mnist.main(argv + ["--model", args.model, "--lr", "0.1"])
    return model


def object_mask(images):
    """(N, 1, H, W) normalised images → (N, H, W) bool: pixels brighter than the background (the
    image's minimum), widened by one pixel in every direction (a 3×3 maximum filter)."""
    array = images.numpy()[:, 0]
    bright = array > array.min(axis=(1, 2), keepdims=True) + 1e-3
    padded = np.pad(bright, ((0, 0), (1, 1), (1, 1)))
    height, width = bright.shape[1:]
    return np.any([padded[:, dy:dy + height, dx:dx + width] for dy in range(3) for dx in range(3)], axis=0)


def mass_on_object(heat, mask):
    """Fraction of each heat map's total on the object; NaN for an all-zero map."""
    total = heat.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (heat * mask).sum(axis=(1, 2)) / total


def main(argv=None):
    args = parse_args(argv)
    model = trained_model(args)
    model.eval()
    dataset, training_script = (MNIST, train_lenet_mnist) if args.model == "lenet5" else (FashionMNIST, train_fashion_mnist)
    normalize = T.Normalize(training_script.MEAN, training_script.STD)  # as in training
    test_set = dataset(args.data_dir, train=False, transform=T.Compose([T.ToTensor(), normalize]))
    images = minidl.stack([test_set[i][0] for i in range(10)])
    with minidl.no_grad():
        predicted = model(images).argmax(1).numpy()
    names = CLASSES[args.model]
    explained = [args.target] * 10 if args.target is not None else predicted
    layers = args.layers.split(",") if args.layers else LAYERS[args.model]

    mask = object_mask(images)
    heat = {}
    for layer in layers:
        heat[layer] = minidl.inspect.grad_cam(model, images, layer, target=args.target)
        mass = mass_on_object(heat[layer], mask)
        print(f"Grad-CAM at {layer}: {100 * np.nanmean(mass):.1f}% of the heat on the object "
              f"(which covers {100 * mask.mean():.1f}% of the image)")
    titles = [f"{names[p]} (why {names[c]}?)" if c != p else names[p] for p, c in zip(predicted, explained)]
    minidl.inspect.plot_heatmaps(images, heat, args.out, titles=titles, title="Grad-CAM (red: strongest evidence for the class)")
    print(f"wrote {args.out}")
    return heat


if __name__ == "__main__":
    main()
