"""Transfer learning: reuse LeNet-5 features learned on MNIST digits for Fashion-MNIST clothes.

    MINIDL_DATA=path/to/data python examples/transfer_learning.py

1. Take a LeNet-5 trained on MNIST (``--pretrained ckpt.npz`` from train_lenet_mnist.py --save,
   or train one for a single epoch here).
2. Freeze its convolutional backbone (``requires_grad_(False)``: no gradients, no updates, and
   no graph is recorded through it) and replace the classification head with a fresh one.
3. Fine-tune only the head on Fashion-MNIST, and compare with the same head trained on a frozen
   *random* backbone: the difference is what the MNIST features transfer.
"""
import argparse
import pathlib
import sys

import minidl
from minidl import nn
from minidl.data import DataLoader, FashionMNIST, Subset
from minidl.data import transforms as T
from minidl.models import lenet5

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import train_lenet_mnist  # noqa: E402


def new_head(num_classes=10):
    return nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, num_classes))


def fine_tune(backbone, args, label):
    """Freeze ``backbone``, attach a new head, train the head on Fashion-MNIST, return test accuracy."""
    backbone.zero_grad()  # drop gradients left over from pre-training
    backbone.requires_grad_(False)
    model = nn.Sequential(backbone, new_head())
    minidl.manual_seed(args.seed)
    model[1].apply(lambda m: m.reset_parameters() if isinstance(m, nn.Linear) else None)
    transform = T.Compose([T.ToTensor(), T.Normalize((0.2860,), (0.3530,))])
    train_set = FashionMNIST(args.data_dir, train=True, transform=transform)
    if args.train_limit:
        train_set = Subset(train_set, range(args.train_limit))
    test_set = FashionMNIST(args.data_dir, train=False, transform=transform)
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True, seed=args.seed)
    test_loader = DataLoader(test_set, batch_size=1000)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = minidl.optim.SGD(trainable, lr=args.lr, momentum=0.9)
    scheduler = minidl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(train_loader))
    print(f"{label}: training {sum(p.numel() for p in trainable):,} of {sum(p.numel() for p in model.parameters()):,} parameters")
    for epoch in range(1, args.epochs + 1):
        train_loader.set_epoch(epoch)
        train_lenet_mnist.train_epoch(model, optimizer, scheduler, train_loader, f"{label} epoch {epoch}", args.quiet)
        accuracy, _ = train_lenet_mnist.evaluate(model, test_loader)
        print(f"  epoch {epoch}: Fashion-MNIST test accuracy {100 * accuracy:.2f}%", flush=True)
    return accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pretrained", help="a checkpoint written by train_lenet_mnist.py --save")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    minidl.utils.tune_malloc()

    if args.pretrained:
        pretrained = lenet5()
        pretrained.load_state_dict(minidl.load(args.pretrained)["model"])
    else:
        print("no --pretrained checkpoint: training LeNet-5 on MNIST for one epoch first")
        extra = ["--quiet"] if args.quiet else []
        extra += ["--data-dir", args.data_dir] if args.data_dir else []
        extra += ["--train-limit", str(args.train_limit)] if args.train_limit else []
        pretrained, _ = train_lenet_mnist.main(["--epochs", "1", "--seed", str(args.seed)] + extra)

    transferred = fine_tune(pretrained.features, args, "MNIST features")
    minidl.manual_seed(args.seed + 1)
    random_backbone = lenet5().features
    baseline = fine_tune(random_backbone, args, "random features")
    print(f"head on frozen MNIST features: {100 * transferred:.2f}%; on frozen random features: {100 * baseline:.2f}%")
    return transferred, baseline


if __name__ == "__main__":
    main()
