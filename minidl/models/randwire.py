"""RandWire (Xie, Kirillov, Girshick & He 2019, "Exploring randomly wired neural networks for image
recognition", ICCV; arXiv:1904.01569).

Key idea: let a *random graph generator* wire the network instead of a designer or a search.  A
classical random graph — here Watts–Strogatz WS(N, K, P): a ring of N nodes each joined to its K
nearest neighbours, every edge rewired with probability P — is made a DAG by pointing each edge
from the lower to the higher node index (§3.2); every node is one operation: aggregate its inputs
by a weighted sum with positive learned weights (sigmoid), then ReLU → 3×3 separable conv → BN
(§3.1).  Nodes with no inputs read the stage input (strided), the stage output is the plain average
of the nodes with no outputs.  Networks from the same generator perform alike, whatever the seed.

Layout: Table 1 of the paper.  Small regime (``randwire_ws_small``, C = 78, N = 32): conv 3×3/2 to
C/2 → BN, ReLU → conv 3×3/2 to C → BN, then three random stages (N nodes, widths C, 2C, 4C), each
halving the resolution; regular regime (``randwire_ws_regular``, C = 109 or 154): a conv 3×3/2 to
C/2, then four random stages (N/2 nodes with C, then N nodes with 2C, 4C, 8C).  Both end with a
1×1 convolution to 1280 channels → BN → ReLU, global average pooling and a linear layer.  WS(K=4,
P=0.75), one independently drawn graph per stage, from ``seed``.

Counts depend a little on the drawn graphs (the nodes that read a stage's input have C_in input
channels; each edge adds one weight).  Seed 0: randwire_ws_small 5,592,018 (paper Table 2: 5.6 M),
randwire_ws_regular (C = 109) 31,870,634 (Table 3: 31.9 M); see tests/models/test_zoo_papers.py.
"""
import numpy as np

from .. import nn
from ..nn.parameter import Parameter
from ._init import kaiming_conv_zero_bias


def watts_strogatz_dag(nodes, k=4, p=0.75, rng=None):
    """The edges (i, j), i < j, of a WS(nodes, k, p) graph oriented by node index (Xie et al. §3.2).

    Ring lattice: node i joined to i ± 1 … i ± k/2; then, going around the ring for each offset
    1 … k/2, each edge (i, i + offset) is rewired with probability p to (i, u) with u drawn uniformly
    among the nodes that are neither i nor already joined to i.  Returns a sorted list of pairs.
    """
    if k % 2 or not 0 < k < nodes:
        raise ValueError(f"watts_strogatz_dag: k must be even and between 0 and nodes={nodes}, got {k}")
    rng = np.random.default_rng(0) if rng is None else rng
    neighbours = {i: set() for i in range(nodes)}
    for i in range(nodes):
        for offset in range(1, k // 2 + 1):
            j = (i + offset) % nodes
            neighbours[i].add(j)
            neighbours[j].add(i)
    for offset in range(1, k // 2 + 1):
        for i in range(nodes):
            j = (i + offset) % nodes
            if j in neighbours[i] and rng.random() < p:
                choices = [u for u in range(nodes) if u != i and u not in neighbours[i]]
                if choices:
                    u = choices[rng.integers(len(choices))]
                    neighbours[i].discard(j)
                    neighbours[j].discard(i)
                    neighbours[i].add(u)
                    neighbours[u].add(i)
    return sorted({(min(i, j), max(i, j)) for i in neighbours for j in neighbours[i]})


class SeparableConv(nn.Sequential):
    def __init__(self, c_in, c_out, stride):
        super().__init__(nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False),
                         nn.Conv2d(c_in, c_out, 1, bias=False))


class WiredNode(nn.Module):
    """Σ sigmoid(w_e)·input_e → ReLU → 3×3 separable conv (stride) → BN."""

    def __init__(self, in_degree, c_in, c_out, stride):
        super().__init__()
        self.edge_weight = Parameter(np.zeros(in_degree, np.float32)) if in_degree > 1 else None
        self.relu = nn.ReLU()
        self.conv = SeparableConv(c_in, c_out, stride)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, inputs):
        if self.edge_weight is None:
            x = inputs[0]
        else:
            w = self.edge_weight.sigmoid()
            x = inputs[0] * w[0]
            for index in range(1, len(inputs)):
                x = x + inputs[index] * w[index]
        return self.bn(self.conv(self.relu(x)))


class RandomWiredStage(nn.Module):
    """A random DAG of ``WiredNode``s: (N, c_in, H, W) → (N, c_out, H/2, W/2)."""

    def __init__(self, c_in, c_out, nodes, rng, k=4, p=0.75):
        super().__init__()
        self.edges = watts_strogatz_dag(nodes, k, p, rng)
        self.parents = [[i for i, j in self.edges if j == node] for node in range(nodes)]
        has_child = {i for i, _ in self.edges}
        self.outputs = [node for node in range(nodes) if node not in has_child]
        self.nodes = nn.ModuleList(
            WiredNode(max(len(parents), 1), c_out if parents else c_in, c_out, 1 if parents else 2)
            for parents in self.parents)

    def forward(self, x):
        results = []
        for node, parents in zip(self.nodes, self.parents):
            results.append(node([results[i] for i in parents] if parents else [x]))
        out = results[self.outputs[0]]
        for index in self.outputs[1:]:
            out = out + results[index]
        return out / len(self.outputs)

    def extra_repr(self):
        return f"nodes={len(self.nodes)}, edges={len(self.edges)}"


class RandWire(nn.Module):
    def __init__(self, regime="small", channels=78, nodes=32, seed=0, num_classes=1000, in_channels=3, k=4, p=0.75):
        super().__init__()
        if regime not in ("small", "regular"):
            raise ValueError(f"RandWire: regime must be 'small' or 'regular', got {regime!r}")
        rng = np.random.default_rng(seed)
        c = channels
        stem = [nn.Conv2d(in_channels, c // 2, 3, 2, 1, bias=False), nn.BatchNorm2d(c // 2)]
        if regime == "small":
            stem += [nn.ReLU(), nn.Conv2d(c // 2, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c)]
            plan, c_in = [(nodes, c), (nodes, 2 * c), (nodes, 4 * c)], c
        else:
            plan, c_in = [(nodes // 2, c), (nodes, 2 * c), (nodes, 4 * c), (nodes, 8 * c)], c // 2
        self.stem = nn.Sequential(*stem)
        stages = []
        for count, width in plan:
            stages.append(RandomWiredStage(c_in, width, count, rng, k, p))
            c_in = width
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU())
        self.fc = nn.Linear(1280, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        return self.fc(self.head(self.stages(self.stem(x))).mean((2, 3)))


def randwire_ws_small(num_classes=1000, in_channels=3, seed=0):
    return RandWire("small", 78, 32, seed, num_classes, in_channels)


def randwire_ws_regular(num_classes=1000, in_channels=3, seed=0, channels=109):
    return RandWire("regular", channels, 32, seed, num_classes, in_channels)
