"""Train a small VGG-style network with BatchNorm and data augmentation on Fashion-MNIST.

    MINIDL_DATA=path/to/data python examples/train_fashion_mnist.py
    MINIDL_DATA=path/to/data python examples/train_fashion_mnist.py --model resnet20 --epochs 8

``--model`` also takes zoo models: resnet20/32/44/56/110 (28×28 inputs), and alexnet_cifar,
vgg11 and vgg11_bn (images padded to 32×32, the smallest size VGG's five pools accept).

Two stages of two 3×3 convolutions (each followed by BatchNorm and ReLU) and a max-pool, then a
dropout-regularised classifier — VGG's recipe in miniature (Simonyan & Zisserman 2015). Random
crops (pad 2) and horizontal flips make every epoch see slightly different images.  It reuses
the training loop of train_lenet_mnist.py; --val-split 0.1 holds out a validation set (images
without augmentation) for choosing epochs and learning rates, and evaluates the test set once.
"""
import argparse
import pathlib
import sys

import minidl
from minidl import nn
from minidl.data import DataLoader, FashionMNIST, Subset
from minidl.data import transforms as T

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from train_lenet_mnist import fit, plot, validation_split  # noqa: E402

MEAN, STD = (0.2860,), (0.3530,)  # Fashion-MNIST's pixel mean and standard deviation


def small_vgg(num_classes=10, width=16):
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]

    return nn.Sequential(
        *block(1, width), *block(width, width), nn.MaxPool2d(2),              # 28 → 14
        *block(width, 2 * width), *block(2 * width, 2 * width), nn.MaxPool2d(2),  # 14 → 7
        nn.Flatten(), nn.Dropout(0.3),
        nn.Linear(2 * width * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, num_classes),
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--model", default="small_vgg",
                        choices=["small_vgg", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "alexnet_cifar",
                                 "vgg11", "vgg11_bn"])
    parser.add_argument("--width", type=int, default=16, help="small_vgg: channels of the first stage (the second has twice as many)")
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--download", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", metavar="PATH")
    parser.add_argument("--plot", metavar="PATH")
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--val-split", type=float, default=0.0,
                        help="hold out this fraction of the training images (without augmentation) for validation: "
                             "report it every epoch and evaluate the test set once, at the end")
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    minidl.utils.tune_malloc()
    minidl.manual_seed(args.seed)
    # AlexNet-CIFAR and VGG expect 32×32: pad the 28×28 images with two pixels of background.
    pad = [T.Pad(2)] if args.model in ("alexnet_cifar", "vgg11", "vgg11_bn") else []
    normalize = pad + [T.ToTensor(), T.Normalize(MEAN, STD)]
    augment = [] if args.no_augment else [T.RandomCrop(28, padding=2), T.RandomHorizontalFlip()]
    train_set = FashionMNIST(args.data_dir, train=True, transform=T.Compose(augment + normalize), download=args.download)
    test_set = FashionMNIST(args.data_dir, train=False, transform=T.Compose(normalize), download=args.download)
    clean_set = FashionMNIST(args.data_dir, train=True, transform=T.Compose(normalize))  # for validation: no augmentation
    if args.train_limit:
        train_set, clean_set = Subset(train_set, range(args.train_limit)), Subset(clean_set, range(args.train_limit))
    train_set, val_set = validation_split(train_set, clean_set, args.val_split, args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, seed=args.seed, device=args.device)
    test_loader = DataLoader(test_set, batch_size=500, device=args.device)
    val_loader = DataLoader(val_set, batch_size=500, device=args.device) if val_set is not None else None
    if args.model == "small_vgg":
        model = small_vgg(width=args.width)
    else:
        model = minidl.models.get_model(args.model, num_classes=10, in_channels=1)
    model.to(args.device)
    optimizer = minidl.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=True,
                                 weight_decay=args.weight_decay)
    scheduler = minidl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(train_loader))
    name = f"small VGG (width {args.width})" if args.model == "small_vgg" else args.model
    print(f"{name}, {sum(p.numel() for p in model.parameters()):,} parameters; "
          f"augmentation {'off' if args.no_augment else 'random crop + flip'}")
    history = fit(model, optimizer, scheduler, train_loader, test_loader, args.epochs, save=args.save, quiet=args.quiet,
                  val_loader=val_loader)
    if args.plot:
        plot(history, args.plot)
    return model, history


if __name__ == "__main__":
    main()
