"""A CIFAR-10-notebook-shaped script: a validation split with ``SubsetRandomSampler``, a CNN with
dropout, ``nn.CrossEntropyLoss``, SGD, running losses weighted by ``data.size(0)``, accuracy with
``torch.max(outputs.data, 1)``, and "validation loss decreased → save the model".
Synthetic 3×16×16 images stand in for CIFAR-10."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import TensorDataset
from torch.utils.data.sampler import SubsetRandomSampler


class Net(nn.Module):
    def __init__(self, dropout=0.25):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(16 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 4 * 4)
        x = self.dropout(x)
        x = F.relu(self.fc1(x))
        x = self.dropout(x)
        x = self.fc2(x)
        return x


def images(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    x = rng.normal(0, 0.5, (n, 3, 16, 16)).astype(np.float32)
    for i, label in enumerate(labels):  # class = which colour channel, and where, is bright
        x[i, label % 3, (label // 3) * 4:(label // 3) * 4 + 4, :] += 2.0
    return x, labels


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--dropout', type=float, default=0.25)
    parser.add_argument('--shuffle', action='store_true', help='random train/valid order (SubsetRandomSampler)')
    parser.add_argument('--init', default=None)
    parser.add_argument('--save-init', default=None)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    train_on_gpu = torch.cuda.is_available()
    batch_size = 20
    valid_size = 0.2

    x, y = images(200, 0)
    train_data = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    num_train = len(train_data)
    indices = list(range(num_train))
    np.random.seed(0)
    np.random.shuffle(indices)
    split = int(np.floor(valid_size * num_train))
    train_idx, valid_idx = indices[split:], indices[:split]
    if args.shuffle:
        train_sampler = SubsetRandomSampler(train_idx)
        valid_sampler = SubsetRandomSampler(valid_idx)
    else:  # the same order in both engines, so that the losses can be compared step for step
        train_sampler, valid_sampler = train_idx, valid_idx
    train_loader = torch.utils.data.DataLoader(train_data, batch_size=batch_size, sampler=train_sampler,
                                               num_workers=0)
    valid_loader = torch.utils.data.DataLoader(train_data, batch_size=batch_size, sampler=valid_sampler,
                                               num_workers=0)

    model = Net(args.dropout)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    print(model)
    if train_on_gpu:
        model.cuda()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    valid_loss_min = np.inf
    history = []
    for epoch in range(1, args.epochs + 1):
        train_loss = 0.0
        valid_loss = 0.0
        model.train()
        for data, target in train_loader:
            if train_on_gpu:
                data, target = data.cuda(), target.cuda()
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * data.size(0)
        model.eval()
        correct = 0
        total = 0
        for data, target in valid_loader:
            output = model(data)
            loss = criterion(output, target)
            valid_loss += loss.item() * data.size(0)
            _, predicted = torch.max(output.data, 1)
            total += target.size(0)
            correct += (predicted == target).sum().item()
        train_loss = train_loss / len(train_loader.sampler)
        valid_loss = valid_loss / len(valid_loader.sampler)
        print('Epoch: {} \tTraining Loss: {:.6f} \tValidation Loss: {:.6f} \tAccuracy: {:.1f}%'.format(
            epoch, train_loss, valid_loss, 100 * correct / total))
        if valid_loss <= valid_loss_min:
            print('Validation loss decreased ({:.6f} --> {:.6f}).  Saving model ...'.format(valid_loss_min, valid_loss))
            torch.save(model.state_dict(), 'model_cifar.pt')
            valid_loss_min = valid_loss
        history.append((train_loss, valid_loss, correct / total))
    model.load_state_dict(torch.load('model_cifar.pt'))
    return history


if __name__ == '__main__':
    main()
