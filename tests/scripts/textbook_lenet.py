"""A textbook-chapter-shaped script: LeNet as ``nn.Sequential`` with sigmoids and average pooling,
shapes printed layer by layer from ``torch.rand(size=...)``, ``net.apply(init_weights)`` with
``type(m) == nn.Linear`` checks, accuracy via ``argmax(axis=1)`` and ``.type(y.dtype)``, and an
accumulator-style evaluation loop.  Synthetic 28×28 images stand in for Fashion-MNIST."""
import argparse
import time

import numpy as np
import torch
from torch import nn
from torch.utils import data


class Accumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def fake_fashion(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    X = rng.random((n, 1, 28, 28), dtype=np.float32) * 0.2
    for i, label in enumerate(y):
        X[i, 0, 2 * label + 4:2 * label + 8, 4:24] = 1.0
    return torch.tensor(X), torch.tensor(y)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--shuffle', action='store_true')
    parser.add_argument('--init', default=None)
    parser.add_argument('--save-init', default=None)
    args = parser.parse_args(argv)
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
    X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
    shapes = []
    for layer in net:
        X = layer(X)
        print(layer.__class__.__name__, 'output shape: \t', X.shape)
        shapes.append(tuple(X.shape))

    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    if args.init:
        net.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(net.state_dict(), args.save_init)

    train_iter = load_array(fake_fashion(256, 0), 32, is_train=args.shuffle)
    test_iter = load_array(fake_fashion(128, 1), 64, is_train=False)
    device = torch.device('cpu')
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
    loss = nn.CrossEntropyLoss()
    history = []
    for epoch in range(args.epochs):
        metric = Accumulator(3)
        net.train()
        start = time.time()
        for i, (X, y) in enumerate(train_iter):
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
        train_l = metric[0] / metric[2]
        train_acc = metric[1] / metric[2]
        test_acc = evaluate_accuracy(net, test_iter)
        print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}, '
              f'{metric[2] / (time.time() - start):.1f} examples/sec on {str(device)}')
        history.append((train_l, train_acc, test_acc))
    return shapes, history


if __name__ == '__main__':
    main()
