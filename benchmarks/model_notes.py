"""For docs/models.md's table: each model's key idea in one line and how minidl checked it
(gathered from the family sections of docs/models.md, which give the details)."""
NOTES = {
    'alexnet': (
        'ReLU, dropout, big data and GPUs: deep CNNs win ImageNet',
        'torchvision count; PyTorch logits (tests/models)'),
    'alexnet_cifar': (
        'the AlexNet recipe scaled to 32×32 images',
        'count'),
    'alexnet_paper': (
        "the paper's two-tower layout with grouped convolutions and LRN",
        'paper count'),
    'bn_inception': (
        "BatchNorm after every convolution; GoogLeNet's 5×5s become two 3×3s",
        "the paper's Figure 5 layer by layer (it states no count; the docstring derives ours)"),
    'chexnet': (
        'DenseNet-121 with a 14-way sigmoid (multi-label) head',
        'paper: none stated'),
    'cspdarknet53': (
        'cross stage partial: half of each stage crosses it untouched, then a transition conv merges',
        'timm logits'),
    'cspresnext50': (
        'the same on ResNeXt-50 32×4d stages',
        'timm logits'),
    'darknet19': (
        '3×3/1×1 stack, BN + leaky ReLU, global-pool head',
        'paper: 5.58 G ops = 2×MACs (§Darknet-19)'),
    'darknet53': (
        '53 convolutional layers: strided 3×3 downsampling, 1×1–3×3 residual blocks, LeakyReLU',
        'timm logits'),
    'densenet121': (
        'every layer receives all earlier feature maps (concatenation)',
        'torchvision count; PyTorch logits'),
    'densenet161': (
        'every layer receives all earlier feature maps (concatenation)',
        'torchvision count; PyTorch logits'),
    'densenet169': (
        'every layer receives all earlier feature maps (concatenation)',
        'torchvision count; PyTorch logits'),
    'densenet201': (
        'every layer receives all earlier feature maps (concatenation)',
        'torchvision count; PyTorch logits'),
    'dpn68': (
        'dual path: a residual path (re-use) and a dense, growing path (exploration) in one tensor',
        'timm logits'),
    'dpn92': (
        'DPN-92',
        'timm logits'),
    'ecaresnet50d': (
        'channel gates from a k-tap 1-D conv over the pooled channels (86 extra weights)',
        'timm logits'),
    'efficientnet_b0': (
        'searched MBConv + SE + swish baseline',
        'timm logits'),
    'efficientnet_b1': (
        'compound scaling: depth 1.1',
        'timm logits'),
    'efficientnet_b2': (
        'width 1.1, depth 1.2',
        'timm logits'),
    'efficientnet_b3': (
        'width 1.2, depth 1.4',
        'timm logits'),
    'efficientnet_b4': (
        'width 1.4, depth 1.8',
        'timm logits'),
    'efficientnet_b5': (
        'width 1.6, depth 2.2',
        'timm logits'),
    'efficientnet_b6': (
        'width 1.8, depth 2.6',
        'timm logits'),
    'efficientnet_b7': (
        'width 2.0, depth 3.1',
        'timm logits'),
    'ese_vovnet19b_dw': (
        'OSA + residual + effective SE (one C→C fc, hard-sigmoid gate); depthwise-separable convs',
        'timm `ese_vovnet19b_dw`: count, keys, eval logits'),
    'espnetv2_w1': (
        'EESP: grouped 1×1, parallel dilated depthwise 3×3s fused hierarchically',
        "paper: 1.67 M (+480 unused slopes in the authors' code)"),
    'espnetv2_w2': (
        'the same, twice as wide',
        'paper: 3.49 M (+992 unused slopes)'),
    'fbnetc_100': (
        'differentiable (Gumbel-softmax) NAS over blocks',
        'timm logits'),
    'fractalnet20': (
        'self-similar columns joined by means; drop-path',
        'paper: not checked'),
    'fractalnet40': (
        'self-similar columns joined by means; drop-path',
        'paper: not checked'),
    'ghostnet_100': (
        'half the maps from cheap depthwise "ghost" ops',
        'timm logits'),
    'googlenet': (
        'Inception modules: parallel 1×1/3×3/5×5 branches with 1×1 reductions',
        'torchvision count; PyTorch logits'),
    'hrnet_w18': (
        'the same at width 18 with 1 + 4 + 3 HR modules in stages 2–4',
        'timm `hrnet_w18`: count, keys, eval logits'),
    'hrnet_w18_small': (
        'keep a full-resolution stream throughout; add 1/2, 1/4, 1/8 streams beside it and repeatedly fuse all of them (upsample coarse, stride-2 conv fine)',
        'timm `hrnet_w18_small`: count, keys, eval logits'),
    'inception_resnet_v2': (
        'Inception blocks as scaled (×0.1–0.2) residual branches',
        'timm `inception_resnet_v2`: count, keys, eval logits'),
    'inception_v3': (
        'factorised convolutions (n×1, 1×n), label smoothing, auxiliary head',
        'torchvision count'),
    'inception_v4': (
        'uniform deeper Inception stem and blocks with explicit reduction blocks',
        'timm `inception_v4`: count, state_dict keys, eval logits'),
    'lenet5': (
        'convolution + subsampling + full connection, trained end to end by backprop',
        'count (REFERENCE.md)'),
    'mixnet_m': (
        'MixNet-S, wider and deeper',
        'timm logits'),
    'mixnet_s': (
        'several depthwise kernel sizes in one layer',
        'timm logits'),
    'mnasnet_100': (
        'NAS with measured phone latency in the reward',
        'timm logits'),
    'mobilenet_v1': (
        'depthwise-separable convolutions',
        'count'),
    'mobilenet_v2': (
        'inverted residuals with linear bottlenecks',
        'torchvision count; PyTorch logits'),
    'mobilenet_v3_large': (
        'NAS-found blocks with SE and hard-swish',
        'torchvision count'),
    'mobilenet_v3_small': (
        'NAS-found blocks with SE and hard-swish',
        'torchvision count'),
    'nasnetalarge': (
        'a Normal and a Reduction cell found by RL search on CIFAR-10, stacked for ImageNet',
        'timm `nasnetalarge`: count, keys, eval logits (paper: 88.9 M, 23.8 B mult-adds)'),
    'nasnetamobile': (
        'the same cells, 4 @ 1056',
        'paper (mobile setting): 5.3 M parameters, 564 M mult-adds; the cell code is timm-checked through `nasnetalarge` and a reduced NASNet-A'),
    'overfeat_accurate': (
        'one ConvNet applied densely for classify/locate/detect',
        'paper: 144 M, 5369 M connections (Table 4)'),
    'overfeat_fast': (
        'one ConvNet applied densely for classify/locate/detect',
        'paper: 145 M, 2810 M connections (Table 4)'),
    'peleenet': (
        'two-way dense layers, stem block, no depthwise convs',
        'paper: 2.8 M, 508 M FLOPs (Table 3)'),
    'pnasnet5large': (
        'cells grown one block at a time, ranked by a learned accuracy predictor',
        'timm `pnasnet5large`: count, keys, eval logits (paper: 86.1 M, 25.0 B mult-adds)'),
    'proxylessnas_cpu': (
        'architecture searched directly on ImageNet and the device',
        'paper: released config'),
    'proxylessnas_gpu': (
        'architecture searched directly on ImageNet and the device',
        'paper: released config'),
    'proxylessnas_mobile': (
        'architecture searched directly on ImageNet and the device',
        "paper: 4.08 M, 320.4 M FLOPs (authors' log)"),
    'pyramidnet_110_a270': (
        'width grows a little at every unit',
        'paper: 28.3 M (Table 4)'),
    'pyramidnet_110_a48': (
        'width grows a little at every unit',
        'paper: 1.7 M (Table 4)'),
    'pyramidnet_110_a84': (
        'width grows a little at every unit',
        'paper: 3.8 M (Table 4)'),
    'pyramidnet_164_a270_bottleneck': (
        'width grows a little at every unit',
        'paper: 27.0 M (Table 4)'),
    'pyramidnet_272_a200_bottleneck': (
        'width grows a little at every unit',
        'paper: 26.0 M (Table 4)'),
    'randwire_ws_regular': (
        'random-graph (WS) wiring of separable-conv nodes',
        'paper: 31.9 M (Table 3)'),
    'randwire_ws_small': (
        'random-graph (WS) wiring of separable-conv nodes',
        'paper: 5.6 ± 0.1 M (Table 2)'),
    'regnetx_002': (
        'widths from a linear rule snapped to a geometric ladder; bottleneck ratio 1, fixed group width',
        'timm logits'),
    'regnetx_004': (
        'RegNetX-400MF',
        'timm logits'),
    'regnetx_016': (
        'RegNetX-1.6GF',
        'timm logits'),
    'regnetx_032': (
        'RegNetX-3.2GF',
        'timm logits'),
    'regnety_002': (
        'RegNetY: RegNetX + squeeze-excitation after the 3×3',
        'timm logits'),
    'regnety_016': (
        'RegNetY-1.6GF',
        'timm logits'),
    'regnety_032': (
        'RegNetY-3.2GF',
        'timm logits'),
    'resnest14d': (
        'split attention: radix-2 splits of a grouped conv mixed by a softmax over splits; ResNet-D',
        'timm logits'),
    'resnest50d': (
        'the same, 3-4-6-3 blocks',
        'timm logits'),
    'resnet101': (
        'identity shortcuts so that very deep nets train (degradation)',
        'torchvision count; PyTorch logits'),
    'resnet110': (
        "the CIFAR ResNets of the paper's §4.2 (option-A shortcuts)",
        'paper count'),
    'resnet152': (
        'identity shortcuts so that very deep nets train (degradation)',
        'torchvision count; PyTorch logits'),
    'resnet18': (
        'identity shortcuts so that very deep nets train (degradation)',
        'torchvision count; PyTorch logits'),
    'resnet18d': (
        'ResNet-D: three-3×3 deep stem; 2×2 average pool before the 1×1 shortcut conv',
        'timm logits'),
    'resnet20': (
        "the CIFAR ResNets of the paper's §4.2 (option-A shortcuts)",
        'paper count'),
    'resnet32': (
        "the CIFAR ResNets of the paper's §4.2 (option-A shortcuts)",
        'paper count'),
    'resnet34': (
        'identity shortcuts so that very deep nets train (degradation)',
        'torchvision count; PyTorch logits'),
    'resnet44': (
        "the CIFAR ResNets of the paper's §4.2 (option-A shortcuts)",
        'paper count'),
    'resnet50': (
        'identity shortcuts so that very deep nets train (degradation)',
        'torchvision count; PyTorch logits'),
    'resnet50d': (
        'the same on ResNet-50',
        'timm logits'),
    'resnet56': (
        "the CIFAR ResNets of the paper's §4.2 (option-A shortcuts)",
        'paper count'),
    'resnext101_32x8d': (
        'ResNeXt-101, 32 groups of width 8',
        'timm logits'),
    'resnext50_32x4d': (
        'aggregated transformations: grouped 3×3 (cardinality 32)',
        'torchvision count'),
    'revnet110': (
        '1,779.3 MB · 128.9 MB',
        'paper: 1.73 M (Table 1)'),
    'revnet38': (
        '592.9 MB · 119.0 MB',
        'paper: 0.46 M (Table 1)'),
    'se_resnet50': (
        'squeeze-and-excitation: channels reweighted by global context',
        'count'),
    'senet154': (
        'SE-ResNeXt 64×4d, 3-8-36-3 blocks, halved first 1×1, deep stem, 3×3 shortcuts',
        'timm logits'),
    'shufflenet_v1_g1': (
        'grouped 1×1 convs + channel shuffle',
        'paper: 143 MFLOPs (Table 1, no fc)'),
    'shufflenet_v1_g2': (
        'grouped 1×1 convs + channel shuffle',
        'paper: 140 MFLOPs (Table 1, no fc)'),
    'shufflenet_v1_g3': (
        'grouped 1×1 convs + channel shuffle',
        'paper: 137 MFLOPs (Table 1, no fc)'),
    'shufflenet_v1_g4': (
        'grouped 1×1 convs + channel shuffle',
        'paper: 133 MFLOPs (Table 1, no fc)'),
    'shufflenet_v1_g8': (
        'grouped 1×1 convs + channel shuffle',
        'paper: 137 MFLOPs (Table 1, no fc)'),
    'shufflenet_v2_x0_5': (
        'channel split and shuffle, designed for measured speed',
        'torchvision count'),
    'shufflenet_v2_x1_0': (
        'channel split and shuffle, designed for measured speed',
        'torchvision count'),
    'shufflenet_v2_x1_5': (
        'channel split and shuffle, designed for measured speed',
        'torchvision count'),
    'shufflenet_v2_x2_0': (
        'channel split and shuffle, designed for measured speed',
        'torchvision count'),
    'simplenet_cifar': (
        'a plain 13-layer 3×3 stack on a small budget',
        "paper: 5.48 M (authors' table)"),
    'skresnet18': (
        'selective kernel: 3×3 and dilated 3×3 paths mixed by a softmax over paths (timm: input split between paths)',
        'timm logits'),
    'skresnet34': (
        'the same on ResNet-34',
        'timm logits'),
    'skresnext50_32x4d': (
        'SKNet-50: ResNeXt-50 32×4d with SK units',
        'timm logits'),
    'spnasnet_100': (
        'one-path "superkernel" NAS, 8 epochs of search',
        'timm logits'),
    'sppnet_zf5': (
        'spatial pyramid pooling: any input size into fc layers',
        'paper: none stated'),
    'sqnxt23_w1': (
        'two 1×1 squeezes, separable 3×1 + 1×3, shortcuts',
        "paper: 0.72 M; = authors' prototxt"),
    'sqnxt23_w2': (
        'two 1×1 squeezes, separable 3×1 + 1×3, shortcuts',
        "paper: = authors' prototxt"),
    'sqnxt23v5_w1': (
        'two 1×1 squeezes, separable 3×1 + 1×3, shortcuts',
        "paper: = authors' prototxt"),
    'sqnxt23v5_w2': (
        'two 1×1 squeezes, separable 3×1 + 1×3, shortcuts',
        "paper: = authors' prototxt"),
    'squeezenet1_0': (
        'fire modules: 1×1 squeeze then 1×1/3×3 expand, AlexNet accuracy at 1/50 the size',
        'torchvision count'),
    'squeezenet1_1': (
        'fire modules: 1×1 squeeze then 1×1/3×3 expand, AlexNet accuracy at 1/50 the size',
        'torchvision count'),
    'tresnet_m': (
        'space-to-depth stem, blur-pool anti-aliased downsampling, BN + leaky ReLU (Inplace-ABN), SE in stages 1–3',
        'timm `tresnet_m`: count, keys, eval logits'),
    'vgg11': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg11_bn': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg13': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg13_bn': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg16': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg16_bn': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg19': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vgg19_bn': (
        'depth from stacks of 3×3 convolutions',
        'torchvision count'),
    'vovnet39a': (
        'one-shot aggregation: a chain of 3×3 convs whose outputs are concatenated once, at the end, not densely',
        'timm `vovnet39a`: count, keys, eval logits'),
    'wide_resnet101_2': (
        'ResNet-101 with twice-wide bottlenecks',
        'timm logits'),
    'wide_resnet50_2': (
        'wider, shallower residual blocks',
        'torchvision count'),
    'xception': (
        'Inception taken to the limit: depthwise-separable convolutions with residuals',
        'Keras count'),
    'zfnet': (
        'AlexNet with smaller first filters and stride, found by visualising features',
        'count'),
}
