"""The classifier head timm's networks share: global average pool → dropout → ``fc`` (module names
as timm's ``head``, so ``head.fc.weight`` loads key for key)."""
from .. import nn


class ClassifierHead(nn.Module):
    """x: (N, C, H, W) → mean over H and W → dropout → Linear → (N, num_classes)."""

    def __init__(self, in_features, num_classes, dropout=0.0):
        super().__init__()
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, x):
        return self.fc(self.drop(self.global_pool(x).flatten(1)))
