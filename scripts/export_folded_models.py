#!/usr/bin/python3
"""Test material for folded normalization (issue 18): small torchvision-style networks exported three ways.

For a tiny MobileNetV3 (torchvision's own MobileNetV3 class with two small blocks, BatchNorm momentum 0.01) and a
tiny ResNet (torchvision's BasicBlock, widths 8/16/32), both on 1x28x28 Fashion-MNIST images:
  NAME_fresh_folded.onnx       random init, exported the default way (eval mode: every BatchNorm after a Conv is
                               folded into the Conv)
  NAME_fresh_kept.onnx         the same weights exported with the BatchNorms kept (eval mode, TrainingMode.PRESERVE,
                               no constant folding: inference-form BatchNormalization with its running statistics)
  NAME_pretrained_folded.onnx  trained by PyTorch for a few Adam steps, running statistics recomputed over the
                               training subset (momentum=None), exported the default way
  NAME_precise_bn.f32          PyTorch's precise BN of the fresh model (running statistics reset, momentum=None,
                               train-mode passes over the first PRECISE_BATCHES batches of 128 training images):
                               each BatchNorm's running mean then running variance, in module order
and the data: train_x.f32 / train_y.i32 (the training subset), eval_x.f32 / eval_y.i32 (a fixed test subset),
little-endian, samples [1, 28, 28] scaled to [0, 1]; reference.json holds each pretrained model's accuracy on
the eval subset as PyTorch measured it.
Usage: export_folded_models.py OUT_DIR [FASHION_MNIST_DIR]
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
from functools import partial
from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3
from torchvision.models.resnet import BasicBlock, conv1x1

TRAIN, EVAL, STEPS, BATCH = 1024, 1000, 48, 64
PRECISE_BATCHES, PRECISE_BATCH = 4, 128


def tiny_mobilenet():
    cfg = partial(InvertedResidualConfig, width_mult=1.0)
    setting = [cfg(8, 3, 16, 8, True, "RE", 2, 1), cfg(8, 3, 24, 16, False, "HS", 2, 1),
               cfg(16, 3, 32, 16, True, "HS", 1, 1)]
    model = MobileNetV3(setting, last_channel=32, num_classes=10, dropout=0.0)
    stem = model.features[0][0]
    model.features[0][0] = torch.nn.Conv2d(1, stem.out_channels, 3, 2, 1, bias=False)  # grey input
    torch.nn.init.kaiming_normal_(model.features[0][0].weight, mode="fan_out")
    return model


class TinyResNet(torch.nn.Module):
    """torchvision's ResNet layout (stem conv-BN-ReLU, BasicBlocks with conv1x1-BN downsampling), narrow."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, 1, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.relu = torch.nn.ReLU(inplace=True)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 16, 2, torch.nn.Sequential(conv1x1(8, 16, 2), torch.nn.BatchNorm2d(16)))
        self.layer3 = BasicBlock(16, 32, 2, torch.nn.Sequential(conv1x1(16, 32, 2), torch.nn.BatchNorm2d(32)))
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(32, classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.relu(self.bn1(self.conv1(x))))))
        return self.fc(torch.flatten(self.pool(x), 1))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def export(model, path, kept):
    tmp = path + ".partial"
    model.eval()
    # PRESERVE (not EVAL) skips the eval-mode pass that folds BatchNorm into Conv; the model's eval mode then
    # exports each BatchNorm in inference form (training_mode=0, running statistics)
    torch.onnx.export(model, (torch.zeros(1, 1, 28, 28),), tmp, opset_version=17, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE if kept else torch.onnx.TrainingMode.EVAL,
                      do_constant_folding=not kept)
    os.replace(tmp, path)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def precise_bn(model, x):
    """Running statistics recomputed over the first PRECISE_BATCHES batches, as a cumulative average."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for b in range(PRECISE_BATCHES):
            model(x[b * PRECISE_BATCH:(b + 1) * PRECISE_BATCH])
    return np.concatenate([np.concatenate([m.running_mean.numpy(), m.running_var.numpy()])
                           for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]).astype("<f4")


def pretrain(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=0.01)  # SGD leaves the tiny MobileNet at chance in so few steps
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    model.train()
    for step in range(STEPS):
        i = torch.randint(0, len(x), (BATCH,), generator=g)
        opt.zero_grad()
        loss_fn(model(x[i]), y[i]).backward()
        opt.step()
    # the running statistics as precise BN recomputes them, so the eval-mode model is as good as its weights
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    with torch.no_grad():
        for start in range(0, len(x), 256):
            model(x[start:start + 256])


def main(out, fmnist):
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    train_x = torch.from_numpy(idx(os.path.join(fmnist, "train-images-idx3-ubyte.gz"))[:TRAIN].astype(np.float32)
                               / 255).unsqueeze(1)
    train_y = torch.from_numpy(idx(os.path.join(fmnist, "train-labels-idx1-ubyte.gz"))[:TRAIN].astype(np.int64))
    eval_x = torch.from_numpy(idx(os.path.join(fmnist, "t10k-images-idx3-ubyte.gz"))[:EVAL].astype(np.float32)
                              / 255).unsqueeze(1)
    eval_y = torch.from_numpy(idx(os.path.join(fmnist, "t10k-labels-idx1-ubyte.gz"))[:EVAL].astype(np.int64))
    train_x.numpy().astype("<f4").tofile(os.path.join(out, "train_x.f32"))
    train_y.numpy().astype("<i4").tofile(os.path.join(out, "train_y.i32"))
    eval_x.numpy().astype("<f4").tofile(os.path.join(out, "eval_x.f32"))
    eval_y.numpy().astype("<i4").tofile(os.path.join(out, "eval_y.i32"))
    reference = {"train": TRAIN, "eval": EVAL, "precise_batches": PRECISE_BATCHES, "precise_batch": PRECISE_BATCH}
    for name, make in (("mobilenet", tiny_mobilenet), ("resnet", TinyResNet)):
        torch.manual_seed(0)
        model = make()
        export(model, os.path.join(out, f"{name}_fresh_folded.onnx"), kept=False)
        export(model, os.path.join(out, f"{name}_fresh_kept.onnx"), kept=True)
        torch.manual_seed(0)
        precise_bn(make(), train_x).tofile(os.path.join(out, f"{name}_precise_bn.f32"))
        torch.manual_seed(0)
        model = make()
        pretrain(model, train_x, train_y)
        reference[name + "_pretrained_accuracy"] = accuracy(model, eval_x, eval_y)
        export(model, os.path.join(out, f"{name}_pretrained_folded.onnx"), kept=False)
    with open(os.path.join(out, "reference.json.partial"), "w") as f:
        json.dump(reference, f)
    os.replace(os.path.join(out, "reference.json.partial"), os.path.join(out, "reference.json"))
    print(json.dumps(reference))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist")
