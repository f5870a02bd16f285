"""A course-assignment-shaped script: a two-layer network on raw tensors, trained three ways —
backpropagation written by hand, autograd with a hand-written SGD step under ``torch.no_grad()``,
and the older ``.data`` idiom — plus a logistic regression with ``torch.sigmoid`` and ``.t()``."""
import argparse

import numpy as np
import torch


def manual_backprop(x, y, w1, w2, learning_rate, steps):
    losses = []
    for t in range(steps):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses


def autograd_no_grad(x, y, w1, w2, learning_rate, steps):
    w1 = w1.clone().requires_grad_(True)
    w2 = w2.clone().requires_grad_(True)
    losses = []
    for t in range(steps):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        if t % 10 == 9:
            print(t, loss.item())
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


def dot_data(x, y, w1, w2, learning_rate, steps):
    w1 = torch.tensor(w1.numpy(), requires_grad=True)
    w2 = torch.tensor(w2.numpy(), requires_grad=True)
    losses = []
    for t in range(steps):
        loss = (torch.relu(x @ w1) @ w2 - y).pow(2).sum()
        losses.append(loss.data.item())
        if w1.grad is not None:
            w1.grad.data.zero_()
            w2.grad.data.zero_()
        loss.backward()
        w1.data -= learning_rate * w1.grad.data
        w2.data -= learning_rate * w2.grad.data
    return losses


def logistic_regression(features, labels, steps, lr):
    w = torch.zeros(features.shape[1], 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for step in range(steps):
        p = torch.sigmoid(features.mm(w) + b).squeeze()
        loss = -(labels * torch.log(p) + (1 - labels) * torch.log(1 - p)).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
            w.grad.zero_()
            b.grad.zero_()
    accuracy = ((p > 0.5).float() == labels).float().mean().item()
    return losses, accuracy, w.t().detach().numpy()


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=50)
    parser.add_argument('--init', default=None)       # unused: the weights come from NumPy here
    parser.add_argument('--save-init', default=None)
    args = parser.parse_args(argv)
    dtype = torch.float
    device = torch.device("cpu")
    rng = np.random.default_rng(0)
    N, D_in, H, D_out = 64, 100, 50, 10
    x = torch.tensor(rng.standard_normal((N, D_in)), device=device, dtype=dtype)
    y = torch.tensor(rng.standard_normal((N, D_out)), device=device, dtype=dtype)
    w1 = torch.tensor(rng.standard_normal((D_in, H)) * 0.1, device=device, dtype=dtype)
    w2 = torch.tensor(rng.standard_normal((H, D_out)) * 0.1, device=device, dtype=dtype)
    learning_rate = 1e-4
    results = {
        "manual": manual_backprop(x, y, w1.clone(), w2.clone(), learning_rate, args.steps),
        "no_grad": autograd_no_grad(x, y, w1, w2, learning_rate, args.steps),
        "data": dot_data(x, y, w1, w2, learning_rate, args.steps),
    }
    features = torch.from_numpy(rng.standard_normal((200, 2)).astype(np.float32))
    labels = ((features[:, 0] + 2 * features[:, 1]) > 0).float()
    results["logistic"], results["accuracy"], results["w"] = logistic_regression(features, labels, args.steps, 0.5)
    return results


if __name__ == '__main__':
    main()
