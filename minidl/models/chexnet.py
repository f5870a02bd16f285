"""CheXNet (Rajpurkar, Irvin, Zhu et al. 2017, "CheXNet: Radiologist-level pneumonia detection on
chest X-rays with deep learning", arXiv:1711.05225).

Key idea: no new architecture — a DenseNet-121 (``densenet121``) pretrained on ImageNet, its
final fully connected layer replaced by one with 14 outputs and an elementwise sigmoid, trained
with a (class-weighted) binary cross-entropy on ChestX-ray14's 14 pathology labels: one
independent yes/no per finding, since an X-ray can show several at once (the paper's extension to
all 14 ChestX-ray14 findings replaces the final fully connected layer by a 14-output one followed
by an elementwise sigmoid).  Inputs are 224×224.

The model returns the 14 *logits*; train it with ``nn.BCEWithLogitsLoss`` (the sigmoid inside the
loss, numerically stable) and read probabilities with ``minidl.sigmoid(model(x))``, or build it with
``sigmoid_output=True`` to have the sigmoid in the model as in the paper's figure.

Parameters: 6,968,206 = densenet121's 7,978,856 − its 1000-way layer (1,025,000) + 1024·14 + 14.
The paper states no count.
"""
from .densenet import DenseNet

PATHOLOGIES = ("Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
               "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia")


class CheXNet(DenseNet):
    """DenseNet-121 with a ``num_classes``-way (14) multi-label head: (N, 3, 224, 224) → (N, 14)."""

    def __init__(self, num_classes=14, in_channels=3, sigmoid_output=False):
        super().__init__(32, (6, 12, 24, 16), 64, num_classes=num_classes, in_channels=in_channels)
        self.sigmoid_output = sigmoid_output

    def forward(self, x):
        logits = super().forward(x)
        return logits.sigmoid() if self.sigmoid_output else logits


def chexnet(num_classes=14, in_channels=3, sigmoid_output=False):
    return CheXNet(num_classes, in_channels, sigmoid_output)
