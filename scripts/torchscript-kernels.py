#!/usr/bin/python3
"""Writes the TorchScript kernels the importer bundles (core/src/main/resources/dev/mergenet/core/engine/kernels).

These are PyTorch functions that DJL does not expose, saved as tiny TorchScript modules, so the imported graph runs
PyTorch's own forward and backward kernels for them (see dev.mergenet.core.engine.TorchScriptKernels).
Regenerate after editing: /usr/bin/python3 scripts/torchscript-kernels.py
"""
import os
import sys

from typing import List

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "src", "main", "resources",
                   "dev", "mergenet", "core", "engine", "kernels")


class Hardtanh(torch.nn.Module):
    """Clip with constant bounds (ReLU6 and friends): one kernel forward, one backward, as nn.ReLU6 has.

    The bounds come as 0-d CPU tensors because DJL passes tensors only; float() of a CPU tensor never waits on a GPU.
    """

    def forward(self, x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        return F.hardtanh(x, float(low), float(high))


class HardtanhInPlace(torch.nn.Module):
    """Hardtanh written into x, as torchvision's ReLU6(inplace=True): for an x nothing else reads."""

    def forward(self, x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        return F.hardtanh(x, float(low), float(high), True)


class ReluInPlace(torch.nn.Module):
    """relu written into x, as torchvision's ReLU(inplace=True): for an x nothing else reads."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x, True)


class SgdStep(torch.nn.Module):
    """torch.optim.SGD's update (its _foreach path) for many parameters in one call: d = g + wd*w, then with
    momentum buf = momentum*buf + d and w -= lr*buf, without momentum w -= lr*d.

    The caller makes the momentum buffers, zero-filled (so the first step gives buf = d, as SGD's does), as engine
    tensors outside any inference mode; without momentum it passes no buffers. Returns the parameters: TorchScript's
    alias analysis would otherwise drop in-place updates whose results nothing reads.
    """

    def forward(self, params: List[torch.Tensor], grads: List[torch.Tensor], buffers: List[torch.Tensor], lr: float,
                momentum: float, weight_decay: float) -> List[torch.Tensor]:
        if weight_decay != 0.0:
            grads = torch._foreach_add(grads, params, alpha=weight_decay)
        if momentum == 0.0:
            torch._foreach_add_(params, grads, alpha=-lr)
        else:
            torch._foreach_mul_(buffers, momentum)
            torch._foreach_add_(buffers, grads)
            torch._foreach_add_(params, buffers, alpha=-lr)
        return params


def main():
    os.makedirs(OUT, exist_ok=True)
    kernels = {"hardtanh": Hardtanh(), "hardtanh_": HardtanhInPlace(), "relu_": ReluInPlace(),
               "sgd_step": SgdStep()}
    for name, module in kernels.items():
        path = os.path.join(OUT, name + ".pt")
        torch.jit.script(module).save(path + ".partial")
        os.replace(path + ".partial", path)
        print(path)


if __name__ == "__main__":
    sys.exit(main())
