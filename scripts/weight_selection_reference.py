#!/usr/bin/python3
"""Independent reference for weight selection (Xu et al., "Initializing Models with Larger Ones", ICLR 2024).

  weight_selection_reference.py OUT_DIR

For each case, builds a larger source and a smaller target of the same family (a torchvision-style ResNet of
BasicBlocks), gives the source random weights AND random BatchNorm statistics (so every selected tensor is
distinct), exports both to ONNX, and selects the target's initial weights from the source in PyTorch, on the
modules, by the paper's rule: layers by module name (a shallower target takes the first blocks of each stage),
elements uniformly in every dimension (every t/s-th index when s divides t, else round-half-up of
i*(t-1)/(s-1)). Writes OUT_DIR/<case>/source.onnx, target.onnx, expected/<tensor>.f32 (little-endian float32)
and manifest.json (shape per selected tensor, tensors not mapped).

Cases: 'narrow' (width 16 -> 4, 2 -> 1 blocks per stage), 'gray' (3 -> 1 input channel: the stem's selected
kernel is summed over the source's input channels; width 16 -> 6, not a divisor; 10 -> 5 classes: the classifier
is not mapped), 'folded' (the source's BatchNorms folded into its convs, as an eval-mode export does, against a
target with Conv + BatchNorm: gamma 1, beta = the selected folded bias, mean 0, var 1 - eps), 'fused-target' (a
source with Conv + BatchNorm against a target whose BatchNorms are folded: the selected BatchNorm folded into the
selected conv in double). Also writes full-folded, full-gray and full-fused-target: source.onnx and target.onnx of the same width and
depth, on which each rule's target must compute what its source computes (tested in Java). And mismatch/target.onnx, a plain CNN that no ResNet source corresponds to, mismatch/wide.onnx,
a ResNet wider than every source, and mismatch/five-classes.onnx, a teacher with another class count. And two other families, 'mobile' (depthwise convs) and 'mlp' (token-wise
MatMul + Add and LayerNorm, compared by the selected target's scores on a fixed input): see other_families.
"""
import warnings
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class SmallResNet(nn.Module):
    def __init__(self, width, blocks, in_channels, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(2, 2)
        cin = width
        for i, n in enumerate(blocks):
            cout = width * 2 ** i
            layers = [BasicBlock(cin if b == 0 else cout, cout, 1 if i == 0 or b > 0 else 2) for b in range(n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
            cin = cout
        self.stages = len(blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(self.stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomize(model, seed):
    """Every parameter and BatchNorm statistic random (a 'pretrained' source whose every entry is distinct)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=g) * 0.5)


class PlainCnn(nn.Module):
    """conv3x3 -> BN -> ReLU -> pool -> conv1x1 -> BN -> ReLU -> GAP -> fc: its second conv is 1x1 where a ResNet's is 3x3."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3, 1, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2, 2),
                                  nn.Conv2d(4, 4, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten(), nn.Linear(4, 10))

    def forward(self, x):
        return self.body(x)


class TinyMobile(nn.Module):
    """stem conv -> BN -> ReLU -> depthwise 3x3 /2 -> BN -> ReLU -> pointwise 1x1 -> BN -> ReLU -> GAP -> fc."""

    def __init__(self, width, in_channels, classes):
        super().__init__()
        self.stem = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(width)
        self.dw = nn.Conv2d(width, width, 3, 2, 1, groups=width, bias=False)
        self.dw_bn = nn.BatchNorm2d(width)
        self.pw = nn.Conv2d(width, 2 * width, 1, bias=False)
        self.pw_bn = nn.BatchNorm2d(2 * width)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = torch.relu(self.stem_bn(self.stem(x)))
        x = torch.relu(self.dw_bn(self.dw(x)))
        x = torch.relu(self.pw_bn(self.pw(x)))
        return self.fc(x.mean((2, 3)))


class TokenMlp(nn.Module):
    """Tokens [batch, 3, 12]: Linear -> LayerNorm -> GELU, a residual Linear -> LayerNorm -> GELU, mean, Linear.
    The token-wise Linears export as MatMul (weight stored [in, out]) + Add, the head as Gemm."""

    def __init__(self, width, classes):
        super().__init__()
        self.fc1 = nn.Linear(12, width)
        self.ln1 = nn.LayerNorm(width)
        self.fc2 = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        h = F.gelu(self.ln1(self.fc1(x)))
        h = h + F.gelu(self.ln2(self.fc2(h)))
        return self.head(h.mean(1))


def fold_batchnorms(model):
    """What an eval-mode export does: each BatchNorm after a conv folded into it (the conv gains a bias)."""
    fuse = torch.nn.utils.fusion.fuse_conv_bn_eval

    def fold(parent, conv_name, bn_name):
        setattr(parent, conv_name, fuse(getattr(parent, conv_name), getattr(parent, bn_name)))
        setattr(parent, bn_name, nn.Identity())

    model.eval()
    fold(model, "conv1", "bn1")
    for i in range(model.stages):
        for block in getattr(model, f"layer{i + 1}"):
            fold(block, "conv1", "bn1")
            fold(block, "conv2", "bn2")
            if block.downsample is not None:
                fold(block.downsample, "0", "1")
    return model


def export(model, path, in_channels, keep_batchnorm, x=None, constant_folding=False):
    x = torch.randn(2, in_channels, 28, 28) if x is None else x
    mode = torch.onnx.TrainingMode.TRAINING if keep_batchnorm else torch.onnx.TrainingMode.EVAL
    if keep_batchnorm:
        model.train()
    torch.onnx.export(model, (x,), path, opset_version=17, input_names=["input"], output_names=["output"],
                      training=mode, do_constant_folding=constant_folding)


def uniform_indices(t, s):
    """The paper's uniform selection of s of t entries, written as integers so both sides agree exactly."""
    if s > t:
        raise ValueError(f"target dimension {s} is larger than the source's {t}")
    if t % s == 0:
        return [i * (t // s) for i in range(s)]
    return [(2 * i * (t - 1) + (s - 1)) // (2 * (s - 1)) for i in range(s)]


def select(w, shape):
    for d, s in enumerate(shape):
        w = torch.index_select(w, d, torch.tensor(uniform_indices(w.shape[d], s), dtype=torch.long))
    return w


def reference_selection(source, target, folded, gray, fused_target):
    src = source.state_dict()
    expected = {}
    not_mapped = []
    for name, t in target.state_dict().items():
        if not t.is_floating_point():
            continue
        if name.startswith("fc.") and src["fc.weight"].shape[0] != target.fc.weight.shape[0]:
            not_mapped.append(name)  # another class count: the target keeps its own initialization
            continue
        if folded and ".bn" in "." + name or folded and "downsample.1." in name:
            conv = name.replace("bn1", "conv1").replace("bn2", "conv2").replace("downsample.1", "downsample.0")
            conv = conv.rsplit(".", 1)[0]
            leaf = name.rsplit(".", 1)[1]
            if leaf == "weight":
                expected[name] = torch.ones_like(t)
            elif leaf == "bias":
                expected[name] = select(src[conv + ".bias"], t.shape)
            elif leaf == "running_mean":
                expected[name] = torch.zeros_like(t)
            else:
                eps = 1e-5
                expected[name] = torch.full_like(t, float(torch.tensor(1.0 - eps, dtype=torch.float64)))
            continue
        if fused_target and not name.startswith("fc."):
            # the target's convs carry its folded BatchNorms: fold the selected source BatchNorm in, in double
            prefix, leaf = name.rsplit(".", 1)
            bn = prefix.replace("conv1", "bn1").replace("conv2", "bn2").replace("downsample.0", "downsample.1")
            channels = t.shape[:1]
            eps = float(torch.tensor(1e-5, dtype=torch.float32))
            scale = select(src[bn + ".weight"], channels).double() / torch.sqrt(
                select(src[bn + ".running_var"], channels).double() + eps)
            if leaf == "weight":
                expected[name] = (select(src[name], t.shape).double() * scale.reshape(-1, 1, 1, 1)).float()
            else:
                mean = select(src[bn + ".running_mean"], channels).double()
                expected[name] = ((0 - mean) * scale + select(src[bn + ".bias"], channels).double()).float()
            continue
        w = src[name]
        if gray and name == "conv1.weight":
            # a gray image replicated to the source's 3 channels gives the response of the summed kernel
            w = select(w, (t.shape[0], w.shape[1]) + tuple(t.shape[2:]))
            expected[name] = w.double().sum(1, keepdim=True).float()
            continue
        expected[name] = select(w, t.shape)
    return expected, not_mapped


CASES = {
    # case: (source width, blocks, target width, blocks, target input channels, target classes, folded: source or target)
    "narrow": (16, [2, 2, 2], 4, [1, 1, 1], 3, 10, None),
    "gray": (16, [2, 2, 2], 6, [1, 2, 1], 1, 5, None),
    "folded": (16, [2, 2, 2], 4, [1, 1, 1], 3, 10, "source"),
    "fused-target": (16, [2, 2, 2], 4, [1, 1, 1], 3, 10, "target"),
}

# pairs of the same width and depth, where a rule for a messy export must give a target that computes what the
# source computes (in eval mode): case: (target input channels, folded: source or target)
FULL_WIDTH = {
    "full-folded": (3, "source"),
    "full-gray": (1, None),
    "full-fused-target": (3, "target"),
}


def main(out_dir):
    warnings.filterwarnings("ignore")
    os.makedirs(os.path.join(out_dir, "mismatch"), exist_ok=True)
    export(PlainCnn(), os.path.join(out_dir, "mismatch", "target.onnx"), 3, keep_batchnorm=True)
    export(SmallResNet(32, [1, 1, 1], 3, 10), os.path.join(out_dir, "mismatch", "wide.onnx"), 3, keep_batchnorm=True)
    export(SmallResNet(4, [1, 1, 1], 3, 5), os.path.join(out_dir, "mismatch", "five-classes.onnx"), 3,
           keep_batchnorm=True)
    for case, (tin, folded) in FULL_WIDTH.items():
        d = os.path.join(out_dir, case)
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(2)
        source = SmallResNet(8, [1, 1, 1], 3, 10)
        randomize(source, 9)
        target = SmallResNet(8, [1, 1, 1], tin, 10)
        if folded == "source":
            source = fold_batchnorms(source)
        if folded == "target":
            randomize(target, 10)
            target = fold_batchnorms(target)
        export(source, os.path.join(d, "source.onnx"), 3, keep_batchnorm=folded != "source")
        export(target, os.path.join(d, "target.onnx"), tin, keep_batchnorm=folded != "target")
    for case, (sw, sb, tw, tb, tin, tclasses, folded) in CASES.items():
        d = os.path.join(out_dir, case)
        os.makedirs(os.path.join(d, "expected"), exist_ok=True)
        torch.manual_seed(1)
        source = SmallResNet(sw, sb, 3, 10)
        randomize(source, 7)
        target = SmallResNet(tw, tb, tin, tclasses)
        if folded == "source":
            source = fold_batchnorms(source)
        if folded == "target":
            # a trained target: a fresh one's equal folded biases would be merged into one initializer by the export
            randomize(target, 8)
            target = fold_batchnorms(target)
        export(source, os.path.join(d, "source.onnx"), 3, keep_batchnorm=folded != "source")
        export(target, os.path.join(d, "target.onnx"), tin, keep_batchnorm=folded != "target")
        expected, not_mapped = reference_selection(source, target, folded == "source", tin == 1, folded == "target")
        manifest = {"tensors": {}, "not_mapped": not_mapped}
        for name, t in expected.items():
            t = t.detach().contiguous().float()
            manifest["tensors"][name] = list(t.shape)
            with open(os.path.join(d, "expected", name + ".f32"), "wb") as f:
                f.write(t.numpy().astype("<f4").tobytes())
        with open(os.path.join(d, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
    other_families(out_dir)


def write_expected(d, expected, not_mapped):
    os.makedirs(os.path.join(d, "expected"), exist_ok=True)
    manifest = {"tensors": {}, "not_mapped": not_mapped}
    for name, t in expected.items():
        t = t.detach().contiguous().float()
        manifest["tensors"][name] = list(t.shape)
        with open(os.path.join(d, "expected", name + ".f32"), "wb") as f:
            f.write(t.numpy().astype("<f4").tobytes())
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def other_families(out_dir):
    """'mobile': depthwise convs, width 16 -> 4 (the tensors compared by name, as the ResNet cases). 'mlp': MatMul
    weights stored [in, out] under exporter-made names and LayerNorms; compared by what the selected target computes:
    scores.f32 on input.f32 ([2, 3, 12])."""
    d = os.path.join(out_dir, "mobile")
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(3)
    source = TinyMobile(16, 3, 10)
    randomize(source, 11)
    target = TinyMobile(4, 3, 10)
    export(source, os.path.join(d, "source.onnx"), 3, keep_batchnorm=True)
    export(target, os.path.join(d, "target.onnx"), 3, keep_batchnorm=True)
    write_expected(d, *reference_selection(source, target, False, False, False))

    d = os.path.join(out_dir, "mlp")
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(4)
    source = TokenMlp(32, 10)
    randomize(source, 12)
    target = TokenMlp(8, 10)
    x = torch.randn(2, 3, 12)
    # as a default export: constant folding turns each token-wise weight into its transpose, named by the exporter
    export(source, os.path.join(d, "source.onnx"), 0, keep_batchnorm=False, x=x, constant_folding=True)
    export(target, os.path.join(d, "target.onnx"), 0, keep_batchnorm=False, x=x, constant_folding=True)
    src = source.state_dict()
    with torch.no_grad():
        for name, t in target.state_dict().items():
            t.copy_(select(src[name], t.shape))
        scores = target.eval()(x)
    x.numpy().astype("<f4").tofile(os.path.join(d, "input.f32"))
    scores.numpy().astype("<f4").tofile(os.path.join(d, "scores.f32"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: weight_selection_reference.py OUT_DIR")
    main(sys.argv[1])
