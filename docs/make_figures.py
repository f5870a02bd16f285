"""Draw the pictures of the documentation into docs/figures/.

    MINIDL_DATA=path/to/data python docs/make_figures.py          # all of them, again
    python docs/make_figures.py --if-missing                       # only those not there yet

``mkdocs build`` runs it with --if-missing (docs/hooks.py), so a fresh checkout draws them once
(about half a minute on two cores) and later builds reuse them.  The pictures come from the
examples themselves, so the pages show what the scripts make:

    curves.png, filters.png, feature_maps_conv{1,2}.png, saliency.png   examples/visualize_lenet.py
    grad_cam.png                                                         examples/grad_cam.py
    gradient_flow.png                                                    examples/gradient_flow.py

on a LeNet-5 trained here for two epochs on 10,000 MNIST images (examples/train_lenet_mnist.py),
plus two drawn here: im2col.png (how a 3×3 convolution becomes one matrix product) and
graph.svg (the computational graph of a small net, by minidl.inspect.to_dot and Graphviz).
Without the MNIST files (MINIDL_DATA) the example pictures are drawn from an untrained LeNet-5
on random images instead, and a warning says so.
"""
import argparse
import os
import pathlib
import re
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
FIGURES = DOCS / "figures"
EXAMPLE_FIGURES = ["curves.png", "filters.png", "feature_maps_conv1.png", "feature_maps_conv2.png", "saliency.png",
                   "grad_cam.png", "gradient_flow.png"]
ALL_FIGURES = EXAMPLE_FIGURES + ["im2col.png", "graph.svg"]

for path in (str(ROOT), str(ROOT / "examples")):
    if path not in sys.path:
        sys.path.insert(0, path)
import minidl  # noqa: E402
from minidl import nn  # noqa: E402


def has_data(name):
    root = pathlib.Path(os.environ.get("MINIDL_DATA") or pathlib.Path.home() / ".cache" / "minidl")
    return (root / name).is_dir()


def example_figures(out):
    """Run the examples on a LeNet-5 trained for two short epochs (one checkpoint shared)."""
    import grad_cam
    import gradient_flow
    import train_lenet_mnist
    import visualize_lenet

    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = os.path.join(scratch, "lenet.npz")
        train_lenet_mnist.main(["--epochs", "2", "--train-limit", "10000", "--test-limit", "2000", "--quiet",
                                "--save", checkpoint])
        visualize_lenet.main(["--checkpoint", checkpoint, "--out", str(out)])
        grad_cam.main(["--checkpoint", checkpoint, "--out", str(out / "grad_cam.png")])
    if has_data("fashion-mnist"):
        gradient_flow.main(["--out", str(out / "gradient_flow.png")])
    else:
        untrained_gradient_flow(out / "gradient_flow.png")


def untrained_gradient_flow(path):
    import gradient_flow

    images, labels = minidl.randn(32, 1, 28, 28), minidl.randint(0, 10, (32,))
    minidl.manual_seed(0)
    plain, residual = gradient_flow.deep_cnn(30, residual=False), gradient_flow.deep_cnn(30, residual=True)
    residual.load_state_dict(plain.state_dict())
    flows = {"plain": gradient_flow.one_step_gradient_flow(plain, images, labels),
             "residual": gradient_flow.one_step_gradient_flow(residual, images, labels)}
    minidl.inspect.plot_gradient_flow(flows, path, title="gradient norms after one step, depth 30 (random images)")


def untrained_figures(out):
    """The same pictures from an untrained LeNet-5 on random images (no MNIST files here)."""
    print("make_figures: no MNIST under MINIDL_DATA: drawing from an untrained LeNet-5 on random images", file=sys.stderr)
    minidl.manual_seed(0)
    model = minidl.models.lenet5()
    images, labels = minidl.randn(10, 1, 28, 28), minidl.randint(0, 10, (10,))
    optimizer = minidl.optim.SGD(model.parameters(), lr=0.01)
    history = []
    for epoch in range(1, 4):  # a real (if meaningless) history: three steps on the random batch
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        accuracy = float((model(images).argmax(1) == labels).float().mean().item())
        history.append(dict(epoch=epoch, train_loss=loss.item(), test_loss=loss.item(), train_acc=accuracy, test_acc=accuracy))
    minidl.inspect.plot_history(history, out / "curves.png")
    minidl.inspect.plot_filters(model.features[0].weight, out / "filters.png", title="conv1: six 5×5 filters (untrained)")
    with minidl.inspect.capture(model) as seen:
        model(images)
    minidl.inspect.plot_feature_maps(seen.activations["features.1"][:1], out / "feature_maps_conv1.png", title="conv1 + ReLU")
    minidl.inspect.plot_feature_maps(seen.activations["features.4"][:1], out / "feature_maps_conv2.png", title="conv2 + ReLU")
    minidl.inspect.plot_heatmaps(images, minidl.inspect.saliency(model, images), out / "saliency.png", title="saliency")
    heat = {layer: minidl.inspect.grad_cam(model, images, layer) for layer in ("features.0", "features.3")}
    minidl.inspect.plot_heatmaps(images, heat, out / "grad_cam.png", title="Grad-CAM (untrained)")
    untrained_gradient_flow(out / "gradient_flow.png")


def im2col_figure(path):
    """A 4×4 input, a 3×3 kernel, stride 1: the four windows become the four columns of ``col``
    (9 × 4), and the convolution is the product of the flattened kernel (1 × 9) with it."""
    x = np.arange(1, 17).reshape(4, 4)
    colours = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
    windows = [(0, 0), (0, 1), (1, 0), (1, 1)]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    ax.set_xlim(-0.5, 17.5), ax.set_ylim(-7.2, 4.9), ax.set_aspect("equal"), ax.axis("off")

    def cell(col, row, text, face="white"):
        ax.add_patch(plt.Rectangle((col, -row), 1, 1, facecolor=face, edgecolor="#444", linewidth=0.8))
        ax.text(col + 0.5, -row + 0.5, str(text), ha="center", va="center", fontsize=9)

    for i in range(4):  # the input, with each window outlined in its colour
        for j in range(4):
            cell(j, i - 3, x[i, j])
    for k, (i, j) in enumerate(windows):
        inset = 0.06 * (k + 1)
        ax.add_patch(plt.Rectangle((j + inset, -(i + 2) + 3 + inset), 3 - 2 * inset, 3 - 2 * inset, fill=False,
                                   edgecolor=colours[k], linewidth=2.2))
    ax.text(2, 4.3, "input x (4×4)\nfour 3×3 windows", ha="center", fontsize=10)
    ax.annotate("", xy=(6.6, 2), xytext=(4.5, 2), arrowprops=dict(arrowstyle="->", lw=1.5))
    ax.text(5.55, 2.4, "im2col", ha="center", fontsize=10)
    for k, (i, j) in enumerate(windows):  # col: one window per column, flattened row by row
        for r, value in enumerate(x[i:i + 3, j:j + 3].ravel()):
            cell(7 + k, r - 2, value, face=colours[k] + "33")
    ax.text(9, 3.4, "col (9×4)\none column per window", ha="center", fontsize=10)
    ax.text(13.2, -1.4, "W (1×9) @ col\n= y (1×4)", ha="center", va="top", fontsize=10)
    ax.annotate("", xy=(14.6, -1), xytext=(11.3, -1), arrowprops=dict(arrowstyle="->", lw=1.5))
    for k, (i, j) in enumerate(windows):  # the output: each entry from one column
        cell(15 + j, i + 1, f"y{k}", face=colours[k] + "55")
    ax.text(16, 0.4, "reshaped:\ny (2×2)", ha="center", fontsize=10)
    ax.text(8.5, -7.0, "every output element is one kernel · window dot product: the whole layer is one matrix product",
            ha="center", fontsize=9, style="italic")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def graph_figure(path):
    """The graph of cross_entropy(small_net(x), y), as minidl.inspect.to_dot writes it, rendered by
    Graphviz (``dot``), or drawn layer by layer with matplotlib where Graphviz is not installed."""
    minidl.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))
    loss = nn.functional.cross_entropy(model(minidl.randn(1, 1, 6, 6)), minidl.tensor([1]))
    dot = minidl.inspect.to_dot(loss, name="small_net")
    if not minidl.inspect.render_dot(dot, path):
        draw_dot_with_matplotlib(dot, path)
    return path


def draw_dot_with_matplotlib(dot, path):
    """A plain layered drawing of to_dot's output: a node's row is its longest path from a leaf."""
    labels = dict(re.findall(r'^\s*(n\d+) \[label="([^"]*)"', dot, re.M))
    edges = re.findall(r"^\s*(n\d+) -> (n\d+);", dot, re.M)
    depth = {name: 0 for name in labels}
    for _ in labels:  # relax: depth[b] = max(depth[a] + 1)
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    rows = {}
    for name in labels:
        rows.setdefault(depth[name], []).append(name)
    position = {name: (k - (len(row) - 1) / 2, d) for d, row in rows.items() for k, name in enumerate(row)}
    fig, ax = plt.subplots(figsize=(6, 1.1 * (max(rows) + 1)))
    for a, b in edges:
        ax.annotate("", xy=position[b], xytext=position[a], arrowprops=dict(arrowstyle="->", shrinkA=14, shrinkB=14))
    for name, (px, py) in position.items():
        ax.text(px, py, labels[name].replace("\\n", "\n"), ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", facecolor="#f0f0f0"))
    ax.set_xlim(-2, 2), ax.set_ylim(-0.7, max(rows) + 0.7), ax.axis("off")
    fig.savefig(path, format="svg", bbox_inches="tight")
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--if-missing", action="store_true", help="draw only the pictures not in docs/figures yet")
    parser.add_argument("--out", default=str(FIGURES))
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    missing = [name for name in ALL_FIGURES if not (out / name).exists()] if args.if_missing else ALL_FIGURES
    if any(name in missing for name in EXAMPLE_FIGURES):
        example_figures(out) if has_data("mnist") else untrained_figures(out)
    if "im2col.png" in missing:
        im2col_figure(out / "im2col.png")
    if "graph.svg" in missing:
        graph_figure(out / "graph.svg")
    return [out / name for name in ALL_FIGURES]


if __name__ == "__main__":
    main()
