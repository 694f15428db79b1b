#!/usr/bin/python3
"""PyTorch side of TorchTrainingParityTest: export a fresh BatchNorm network, then train it in PyTorch.

Usage: torch_parity.py export DIR    writes DIR/net.onnx (opset 17, eval mode: PyTorch merges the BatchNorm
                                     initializers by value) and DIR/initial.pt (the same initial weights)
       torch_parity.py train DIR     trains from DIR/initial.pt on what the Java test wrote: config.json (epochs,
                                     batch size, per-epoch learning rates, momentum, weight decay), train_x.f32 /
                                     train_y.i32 / test_x.f32 / test_y.i32 (little-endian, samples as [1, 28, 28])
                                     and order.i32 (one permutation of the training samples per epoch, from
                                     transfer/data/BatchOrder); writes DIR/torch_result.json (per-epoch train loss
                                     and test accuracy)
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torchvision.models.resnet import conv1x1, conv3x3


class Block(torch.nn.Module):
    """A residual block from torchvision's conv helpers, BatchNorm after the ReLU.

    PyTorch's eval-mode export folds a BatchNorm that directly follows a Conv into the Conv (the file then has no
    BatchNorm left to train), so every BatchNorm here follows a ReLU: the export keeps them all.
    """

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.relu = torch.nn.ReLU()
        self.down = None
        if stride != 1 or cin != cout:
            self.down = torch.nn.Sequential(conv1x1(cin, cout, stride), torch.nn.ReLU(), torch.nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn1(self.relu(self.conv1(x)))
        out = self.bn2(self.relu(self.conv2(out)))
        return out + (x if self.down is None else self.down(x))


class NarrowResNet(torch.nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = torch.nn.Sequential(conv3x3(1, 8), torch.nn.ReLU(), torch.nn.BatchNorm2d(8))
        self.layer1 = Block(8, 8, 1)
        self.layer2 = Block(8, 16, 2)
        self.layer3 = Block(16, 32, 2)
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(32, classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


def read(path, dtype, shape):
    return torch.from_numpy(np.fromfile(path, dtype=dtype).reshape(shape).copy())


def export(d):
    torch.manual_seed(0)
    model = NarrowResNet()
    torch.save(model.state_dict(), os.path.join(d, "initial.pt"))
    model.eval()
    torch.onnx.export(model, (torch.randn(1, 1, 28, 28),), os.path.join(d, "net.onnx"), opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def train(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    model = NarrowResNet()
    model.load_state_dict(torch.load(os.path.join(d, "initial.pt")))
    n, m = cfg["train"], cfg["test"]
    train_x = read(os.path.join(d, "train_x.f32"), "<f4", (n, 1, 28, 28))
    train_y = read(os.path.join(d, "train_y.i32"), "<i4", (n,)).long()
    test_x = read(os.path.join(d, "test_x.f32"), "<f4", (m, 1, 28, 28))
    test_y = read(os.path.join(d, "test_y.i32"), "<i4", (m,)).long()
    order = read(os.path.join(d, "order.i32"), "<i4", (cfg["epochs"], n)).long()
    # torch.optim.SGD is transfer/optim/SgdMomentum: no dampening, no Nesterov, decay on every parameter
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lrs"][0], momentum=cfg["momentum"],
                          weight_decay=cfg["weight_decay"])
    loss_fn = torch.nn.CrossEntropyLoss()
    history = []
    for epoch in range(cfg["epochs"]):
        for group in opt.param_groups:
            group["lr"] = cfg["lrs"][epoch]
        model.train()
        total, seen = 0.0, 0
        for start in range(0, n, cfg["batch"]):
            idx = order[epoch, start:start + cfg["batch"]]
            opt.zero_grad()
            loss = loss_fn(model(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(test_x[i:i + 500]).argmax(1) == test_y[i:i + 500]).sum())
                          for i in range(0, m, 500))
        history.append({"epoch": epoch, "train_loss": total / seen, "test_accuracy": correct / m})
        print(f"torch epoch {epoch + 1}: train loss {total / seen:.4f}, test {100 * correct / m:.2f}%", flush=True)
    print(f"torch CPU time: {time.process_time():.1f} s", flush=True)
    with open(os.path.join(d, "torch_result.json"), "w") as f:
        json.dump({"history": history}, f)


if __name__ == "__main__":
    torch.set_num_threads(2)
    {"export": export, "train": train}[sys.argv[1]](sys.argv[2])
