"""Every zoo model in one Markdown table: input size, parameters and forward MACs (measured here),
paper, key idea and how minidl checked it (benchmarks/model_notes.py).

    python benchmarks/model_table.py > /tmp/table.md      (several minutes on a 2-core CPU)

MACs come from ``minidl.summary`` (convolutions and linear layers), one forward pass per model.
"""
import time

import minidl
from minidl import models

try:
    from model_notes import NOTES
except ImportError:  # run from the project root as python benchmarks/model_table.py
    from benchmarks.model_notes import NOTES

PAPERS = {
    "lenet5": 'LeCun et al. 1998 (modern form: ReLU, max-pool, softmax)', "alexnet": 'Krizhevsky 2014, "One weird trick" (torchvision\'s single-tower variant)',
    "alexnet_paper": "Krizhevsky et al. 2012 (paper layout)", "alexnet_cifar": "AlexNet recipe for 32×32",
    "zfnet": "Zeiler & Fergus 2014", "googlenet": 'Szegedy et al. 2015, with BatchNorm (torchvision layout)', "inception_v3": "Szegedy et al. 2016",
    "resnext50_32x4d": "Xie et al. 2017", "wide_resnet50_2": "Zagoruyko & Komodakis 2016", "se_resnet50": "Hu et al. 2018",
    "mobilenet_v1": "Howard et al. 2017", "mobilenet_v2": "Sandler et al. 2018", "mobilenet_v3_small": "Howard et al. 2019",
    "mobilenet_v3_large": "Howard et al. 2019", "xception": "Chollet 2017",
    "mnasnet_100": "Tan et al. 2019", "mixnet_s": "Tan & Le 2019", "mixnet_m": "Tan & Le 2019",
    "fbnetc_100": "Wu et al. 2019", "spnasnet_100": "Stamoulis et al. 2019", "ghostnet_100": "Han et al. 2020",
    **{f"efficientnet_b{i}": "Tan & Le 2019" for i in range(8)},
    "bn_inception": "Ioffe & Szegedy 2015 (BN-Inception / Inception v2)",
    "inception_v4": "Szegedy et al. 2017 (timm layout)", "inception_resnet_v2": "Szegedy et al. 2017 (timm layout)",
    "nasnetalarge": "Zoph et al. 2018 (timm layout)", "nasnetamobile": "Zoph et al. 2018",
    "pnasnet5large": "Liu et al. 2018 (timm layout)",
    "resnet18d": "He et al. 2019 (ResNet-D)", "resnet50d": "He et al. 2019 (ResNet-D)", "ecaresnet50d": "Wang et al. 2020",
    "senet154": "Hu et al. 2018", "resnext101_32x8d": "Xie et al. 2017", "wide_resnet101_2": "Zagoruyko & Komodakis 2016",
    "darknet53": "Redmon & Farhadi 2018", "cspdarknet53": "Wang et al. 2020 (CSPNet)", "cspresnext50": "Wang et al. 2020 (CSPNet)",
}
for prefix, paper in (("vgg", "Simonyan & Zisserman 2015"), ("resnet", "He et al. 2016"), ("densenet", "Huang et al. 2017"),
                      ("shufflenet", "Ma et al. 2018"), ("squeezenet", "Iandola et al. 2016"), ("sk", "Li et al. 2019"),
                      ("resnest", "Zhang et al. 2022"), ("regnet", "Radosavovic et al. 2020"), ("dpn", "Chen et al. 2017")):
    for name in models.list_models():
        if name.startswith(prefix):
            PAPERS.setdefault(name, paper)
# the catalogue entries only papers define (minidl.models.PAPER_MODELS)
PAPERS.update({
    **{f"shufflenet_v1_g{g}": "Zhang et al. 2018 (ShuffleNet v1)" for g in (1, 2, 3, 4, 8)},
    "darknet19": "Redmon & Farhadi 2017 (YOLO9000)", "chexnet": "Rajpurkar et al. 2017 (CheXNet)",
    **{name: "Han et al. 2017 (PyramidNet)" for name in models.PAPER_MODELS if name.startswith("pyramidnet")},
    "fractalnet20": "Larsson et al. 2017", "fractalnet40": "Larsson et al. 2017",
    "revnet38": "Gomez et al. 2017", "revnet110": "Gomez et al. 2017", "peleenet": "Wang et al. 2018",
    **{name: "Gholami et al. 2018 (SqueezeNext)" for name in models.PAPER_MODELS if name.startswith("sqnxt")},
    "overfeat_fast": "Sermanet et al. 2014", "overfeat_accurate": "Sermanet et al. 2014",
    "sppnet_zf5": "He et al. 2014 (SPP-Net)", "simplenet_cifar": "Hasanpour et al. 2016",
    **{f"proxylessnas_{kind}": "Cai et al. 2019" for kind in ("gpu", "cpu", "mobile")},
    "randwire_ws_small": "Xie et al. 2019", "randwire_ws_regular": "Xie et al. 2019",
    "espnetv2_w1": "Mehta et al. 2019", "espnetv2_w2": "Mehta et al. 2019",
})


def main():
    print("| model | input | parameters | forward MACs | paper | key idea | checked |")
    print("|---|---|---:|---:|---|---|---|")
    for name in models.list_models():
        constructor, size = models.MODELS[name]
        minidl.manual_seed(0)
        model = constructor()
        started = time.perf_counter()
        result = minidl.summary(model, size, print_table=False)
        del model
        print(f"| `{name}` | {'×'.join(map(str, size))} | {result.total_params:,} | {result.total_macs / 1e6:,.1f} M | "
              f"{PAPERS.get(name, '')} | {NOTES[name][0]} | {NOTES[name][1]} |", flush=True)
        del started


if __name__ == "__main__":
    main()
