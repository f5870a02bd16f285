"""From architecture strings to blocks: the notation the EfficientNet family is written in.

A network is a list of stages; a stage is a list of block strings, each one block type followed by
options separated by "_" (the notation of the TensorFlow MnasNet/EfficientNet reference code, as
timm writes it):

    "ir_r2_k5_s2_e6_c40_se0.25"  → 2 × InvertedResidual, 5×5 depthwise, stride 2, expand ×6,
                                    40 output channels, squeeze-excite with 0.25 of the block input

    type  ds (DepthwiseSeparableConv), dsa (the same with an activation after the 1×1, no skip),
          ir (InvertedResidual)
    r     repeats                    k   depthwise kernel; "3.5.7" mixes 3×3, 5×5, 7×7 (MixConv)
    s     stride of the first block  e   expansion ratio      c   output channels
    a, p  kernel(s) of the 1×1 expansion / projection; "1.1" = two grouped 1×1 convs (MixNet)
    se    squeeze-excite ratio       n   activation: re (ReLU), r6 (ReLU6), hs (hard-swish), sw (swish)
    noskip  no residual connection even when the shapes allow one

Only the first block of a stage takes the stride.  Compound scaling (Tan & Le 2019, EfficientNet
§3.3) multiplies every width by ``channel_multiplier`` (rounded to a multiple of 8, never more than
10% down) and every stage's repeats by ``depth_multiplier`` (rounded up).
"""
import math
import re
from functools import partial

from .. import nn
from .efficientnet_blocks import DepthwiseSeparableConv, InvertedResidual
from .mobilenet import make_divisible

ACTIVATIONS = {"re": nn.ReLU, "r6": nn.ReLU6, "hs": nn.Hardswish, "sw": nn.SiLU}


def round_channels(channels, multiplier=1.0, divisor=8):
    """A width scaled by ``multiplier`` and rounded to a multiple of ``divisor`` (≥ 90% of the exact value)."""
    return make_divisible(channels * multiplier, divisor) if multiplier else channels


def _kernel_sizes(text):
    """"3" → 3, "3.5.7" → [3, 5, 7]."""
    sizes = [int(k) for k in text.split(".")]
    return sizes[0] if len(sizes) == 1 else sizes


def decode_block(text):
    """One block string → (keyword arguments of the block, number of repeats)."""
    kind, *options = text.split("_")
    if kind not in ("ds", "dsa", "ir"):
        raise ValueError(f"decode_block: unknown block type {kind!r} in {text!r}; expected ds, dsa or ir")
    found, noskip, act_layer = {}, kind == "dsa", None
    for option in options:
        if option == "noskip":
            noskip = True
        elif option[0] == "n" and not option[1:2].isdigit():
            if option[1:] not in ACTIVATIONS:
                raise ValueError(f"decode_block: unknown activation {option!r} in {text!r}; expected one of "
                                 + ", ".join("n" + a for a in ACTIVATIONS))
            act_layer = ACTIVATIONS[option[1:]]
        else:
            match = re.fullmatch(r"([a-z]+)(\d[\d.]*)", option)
            if match is None:
                raise ValueError(f"decode_block: cannot read option {option!r} in {text!r}")
            found[match.group(1)] = match.group(2)
    args = dict(kind=kind, out_chs=int(found["c"]), stride=int(found["s"]), act_layer=act_layer, noskip=noskip,
                dw_kernel_size=_kernel_sizes(found["k"]), pw_kernel_size=_kernel_sizes(found.get("p", "1")),
                se_ratio=float(found.get("se", 0.0)))
    if kind == "ir":
        args.update(exp_ratio=float(found["e"]), exp_kernel_size=_kernel_sizes(found.get("a", "1")))
    else:
        args.update(pw_act=kind == "dsa")
    return args, int(found["r"])


def scale_repeats(repeats, depth_multiplier=1.0, depth_trunc="ceil"):
    """Scale a stage's total depth and share it among its block strings in proportion.

    The total becomes ceil(total · d) (EfficientNet) or round(total · d) (``depth_trunc="round"``,
    MixNet-L, so that one-block stages stay one block longer); the shares are handed out from the
    last string to the first, each rounded and at least 1, so the first (strided) block is the
    last to be repeated.
    """
    total = sum(repeats)
    target = max(1, round(total * depth_multiplier)) if depth_trunc == "round" else math.ceil(total * depth_multiplier)
    scaled = []
    for count in reversed(repeats):
        share = max(1, round(count / total * target))
        scaled.append(share)
        total, target = total - count, target - share
    return scaled[::-1]


def build_stages(arch_def, in_chs, act_layer, channel_multiplier=1.0, depth_multiplier=1.0, depth_trunc="ceil",
                 se_layer=nn.SqueezeExcite, drop_path_rate=0.0):
    """``arch_def`` (a list of stages of block strings) → (list of ``nn.Sequential`` stages, output width).

    Block i of the n in the network gets drop-path rate ``drop_path_rate · i / n``
    (``nn.drop_path_schedule``); a block string without an "n" option uses ``act_layer``.
    """
    stages = []
    for strings in arch_def:
        decoded = [decode_block(text) for text in strings]
        counts = scale_repeats([repeats for _, repeats in decoded], depth_multiplier, depth_trunc)
        stages.append([dict(args) for (args, _), count in zip(decoded, counts) for _ in range(count)])
    rates = iter(nn.drop_path_schedule(drop_path_rate, sum(len(stage) for stage in stages)))
    built = []
    for stage in stages:
        blocks = []
        for index, args in enumerate(stage):
            kind, se_ratio = args.pop("kind"), args.pop("se_ratio")
            args.update(in_chs=in_chs, out_chs=round_channels(args["out_chs"], channel_multiplier),
                        stride=args["stride"] if index == 0 else 1, act_layer=args["act_layer"] or act_layer,
                        drop_path_rate=next(rates))
            if se_ratio:  # the ratio is of the block's input width; SE sits on the expanded width
                args["se_layer"] = partial(se_layer, rd_ratio=se_ratio / args.get("exp_ratio", 1.0))
            blocks.append(InvertedResidual(**args) if kind == "ir" else DepthwiseSeparableConv(**args))
            in_chs = args["out_chs"]
        built.append(nn.Sequential(*blocks))
    return built, in_chs
