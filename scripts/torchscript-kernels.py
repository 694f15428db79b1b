#!/usr/bin/python3
"""Writes the TorchScript kernels the importer bundles (core/src/main/resources/dev/mergenet/core/engine/kernels).

These are PyTorch functions that DJL does not expose, saved as tiny TorchScript modules, so the imported graph runs
PyTorch's own forward and backward kernels for them (see dev.mergenet.core.engine.TorchScriptKernels).
Regenerate after editing: /usr/bin/python3 scripts/torchscript-kernels.py
"""
import os
import sys

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


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, module in {"hardtanh": Hardtanh(), "hardtanh_": HardtanhInPlace()}.items():
        path = os.path.join(OUT, name + ".pt")
        torch.jit.script(module).save(path + ".partial")
        os.replace(path + ".partial", path)
        print(path)


if __name__ == "__main__":
    sys.exit(main())
