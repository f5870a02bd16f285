"""Every classic classifier of minidl.classic, and LeNet-5, on the same images: one table.

    MINIDL_DATA=path/to/data python examples/before_cnns.py --dataset mnist --out pictures/
    MINIDL_DATA=path/to/data python examples/before_cnns.py --dataset fashion-mnist --out pictures/

Each model sees the 28×28 images as 784 pixel values scaled to [0, 1] (LeNet-5 sees them as
images, normalised).  Models whose cost grows with the square of the training set (the kernel
SVM's kernel matrix, k-NN's distances to every training image) or that are slow in pure Python
(OneR's interval search, the tree's split search) train on the first N training images; the
table's "train images" column says how many.  Prints a Markdown table — test accuracy, training
time, prediction time on the test set, number of parameters — and, with ``--out``, writes it
there with confusion-matrix pictures of logistic regression and LeNet-5.  See docs/before_cnns.md.
"""
import argparse
import os
import pathlib
import time

import numpy as np

import minidl
from minidl import classic, nn
from minidl.data import MNIST, FashionMNIST

MEAN_STD = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    parser.add_argument("--data-dir", default=None, help="folder holding mnist/ and fashion-mnist/ (default: $MINIDL_DATA)")
    parser.add_argument("--train-limit", type=int, default=None, help="use the first N training images for every model")
    parser.add_argument("--test-limit", type=int, default=None, help="evaluate on the first N test images")
    parser.add_argument("--quadratic-limit", type=int, default=5000,
                        help="training images for the kernel SVM (its cost is quadratic in them)")
    parser.add_argument("--knn-limit", type=int, default=20000, help="training images k-NN compares each test image with")
    parser.add_argument("--slow-limit", type=int, default=10000, help="training images for OneR and the decision tree")
    parser.add_argument("--max-iter", type=int, default=300,
                        help="full-batch gradient steps for logistic regression and the linear SVM")
    parser.add_argument("--epochs", type=int, default=2, help="LeNet-5 epochs")
    parser.add_argument("--mlp-epochs", type=int, default=10, help="MLP epochs (at most; it stops early when the loss stalls)")
    parser.add_argument("--only", nargs="*", default=None, help="run only the models whose names contain one of these")
    parser.add_argument("--out", default=None, help="folder for the table (Markdown) and the confusion-matrix PNGs")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def load(args):
    """(x_train, y_train, x_test, y_test): images as (N, 28, 28) float64 in [0, 1], labels int64."""
    dataset = MNIST if args.dataset == "mnist" else FashionMNIST
    train, test = dataset(args.data_dir, train=True), dataset(args.data_dir, train=False)
    x_train, y_train = np.asarray(train.data, dtype=np.float64) / 255, np.asarray(train.targets)
    x_test, y_test = np.asarray(test.data, dtype=np.float64) / 255, np.asarray(test.targets)
    if args.train_limit:
        x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]
    if args.test_limit:
        x_test, y_test = x_test[:args.test_limit], y_test[:args.test_limit]
    return x_train, y_train, x_test, y_test


def classic_models(args):
    """(name, estimator, training images or None for all, parameter counter)."""
    linear = lambda m: int(m.coef_.size + m.intercept_.size)
    return [
        ("ZeroR", classic.ZeroR(), None, lambda m: len(m.classes_)),
        ("OneR", classic.OneR(), args.slow_limit,
         lambda m: 1 + 2 * len(m.rules_[m.feature_]["thresholds"]) + 1),
        ("Gaussian naive Bayes", classic.GaussianNB(), None, lambda m: int(m.theta_.size + m.var_.size + m.class_prior_.size)),
        ("Multinomial naive Bayes", classic.MultinomialNB(), None, lambda m: int(m.feature_log_prob_.size + m.class_log_prior_.size)),
        ("Bernoulli naive Bayes", classic.BernoulliNB(binarize=0.5), None,
         lambda m: int(m.feature_log_prob_.size + m.class_log_prior_.size)),
        ("decision tree (entropy, depth ≤ 20)", classic.DecisionTreeClassifier(criterion="entropy", max_depth=20,
                                                                             min_samples_leaf=2), args.slow_limit,
         lambda m: 2 * (m.get_n_leaves() - 1) + m.get_n_leaves()),
        ("LDA", classic.LinearDiscriminantAnalysis(), None, linear),
        ("logistic regression (softmax, C=1)", classic.LogisticRegression(C=1.0, max_iter=args.max_iter), None, linear),
        ("linear SVM (squared hinge, one-vs-rest)", classic.LinearSVC(C=1.0, max_iter=args.max_iter), None, linear),
        ("SVM, RBF kernel (SMO)", classic.SVC(kernel="rbf", C=10.0), args.quadratic_limit,
         lambda m: int(m.support_vectors_.size + sum(len(p[3]) + 1 for p in m._pairs))),
        ("k-NN (k=3, Euclidean)", classic.KNeighborsClassifier(n_neighbors=3), args.knn_limit,
         lambda m: int(m._fit_X.size)),
        ("MLP (784-256-10, ReLU, Adam)", classic.MLPClassifier(hidden_layer_sizes=(256,), max_iter=args.mlp_epochs,
                                                               random_state=args.seed), None,
         lambda m: int(sum(w.size for w in m.coefs_) + sum(b.size for b in m.intercepts_))),
    ]


def run_lenet(args, x_train, y_train, x_test, y_test):
    """Train LeNet-5 (minidl.models.lenet5) with SGD + momentum; returns (model, seconds, predictions, seconds)."""
    minidl.manual_seed(args.seed)
    mean, std = MEAN_STD[args.dataset]
    images = lambda x: ((x - mean) / std).astype(np.float32)[:, None]
    model = minidl.models.lenet5()
    optimizer = minidl.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    steps = args.epochs * -(-len(x_train) // 64)
    scheduler = minidl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    model.train()
    for _ in range(args.epochs):
        order = rng.permutation(len(x_train))
        for first in range(0, len(order), 64):
            batch = order[first:first + 64]
            loss = nn.functional.cross_entropy(model(minidl.tensor(images(x_train[batch]))), minidl.tensor(y_train[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    train_seconds = time.perf_counter() - start
    model.eval()
    start = time.perf_counter()
    with minidl.no_grad():
        predictions = np.concatenate([model(minidl.tensor(images(x_test[i:i + 1000]))).argmax(1).numpy()
                                      for i in range(0, len(x_test), 1000)])
    return model, train_seconds, predictions, time.perf_counter() - start


def plot_confusion(matrix, title, path, class_names):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(5.2, 4.6))
    image = axes.imshow(matrix, cmap="Blues")
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            axes.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=6,
                      color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    axes.set_xticks(range(len(class_names)), class_names, rotation=90 if len(class_names[0]) > 2 else 0, fontsize=7)
    axes.set_yticks(range(len(class_names)), class_names, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=9)
    figure.colorbar(image, ax=axes, fraction=0.046)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv=None):
    args = parse_args(argv)
    if args.data_dir is None:
        args.data_dir = os.environ.get("MINIDL_DATA")
    x_train, y_train, x_test, y_test = load(args)
    flat_train, flat_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    class_names = ([str(i) for i in range(10)] if args.dataset == "mnist" else
                   FashionMNIST.classes if hasattr(FashionMNIST, "classes") else [str(i) for i in range(10)])
    out = pathlib.Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    wanted = lambda name: args.only is None or any(word.lower() in name.lower() for word in args.only)
    rows, results = [], {}
    for name, model, limit, count in classic_models(args):
        if not wanted(name):
            continue
        n = min(limit or len(flat_train), len(flat_train))
        start = time.perf_counter()
        model.fit(flat_train[:n], y_train[:n])
        train_seconds = time.perf_counter() - start
        start = time.perf_counter()
        predictions = model.predict(flat_test)
        predict_seconds = time.perf_counter() - start
        results[name] = predictions
        rows.append((name, n, classic.accuracy_score(y_test, predictions), train_seconds, predict_seconds, count(model)))
        print(f"{name}: {100 * rows[-1][2]:.2f}% ({train_seconds:.1f} s)", flush=True)
        if out and name.startswith("logistic"):
            plot_confusion(classic.confusion_matrix(y_test, predictions, labels=np.arange(10)),
                           f"logistic regression on {args.dataset}", out / f"confusion_logistic_{args.dataset}.png",
                           class_names)
    if wanted("LeNet-5"):
        model, train_seconds, predictions, predict_seconds = run_lenet(args, x_train, y_train, x_test, y_test)
        results["LeNet-5"] = predictions
        rows.append((f"LeNet-5 ({args.epochs} epochs, SGD)", len(x_train), classic.accuracy_score(y_test, predictions),
                     train_seconds, predict_seconds, sum(p.numel() for p in model.parameters())))
        print(f"LeNet-5: {100 * rows[-1][2]:.2f}% ({train_seconds:.1f} s)", flush=True)
        if out:
            plot_confusion(classic.confusion_matrix(y_test, predictions, labels=np.arange(10)),
                           f"LeNet-5 on {args.dataset}", out / f"confusion_lenet5_{args.dataset}.png", class_names)
    table = markdown_table(rows, args.dataset, len(x_test))
    print(table)
    if out:
        (out / f"before_cnns_{args.dataset}.md").write_text(table + "\n")
    return rows, results


def markdown_table(rows, dataset, n_test):
    lines = [f"**{dataset}** — test accuracy on {n_test:,} test images",
             "", "| model | train images | test accuracy | training | prediction | parameters |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, n, accuracy, train_seconds, predict_seconds, parameters in rows:
        lines.append(f"| {name} | {n:,} | {100 * accuracy:.2f} % | {train_seconds:.1f} s | {predict_seconds:.2f} s | {parameters:,} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
