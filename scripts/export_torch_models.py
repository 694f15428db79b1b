#!/usr/bin/python3
"""Exports small randomly initialised PyTorch models of the common families to ONNX (opsets 13 and 17).

Test data for the importer's real-model parity tests; run by scripts/test-data.sh with Debian's python3-torch
and python3-torchvision. No weights are downloaded: every model starts from torch.manual_seed(0).
Usage: export_torch_models.py OUT_DIR
"""
import os
import sys

import torch
import torchvision


class TinyTransformer(torch.nn.Module):
    """Token embeddings + learned positions, a 2-layer Transformer encoder with LayerNorm, a classifier."""

    def __init__(self, vocab=100, dim=32, classes=5, length=12):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, dim)
        self.pos = torch.nn.Parameter(torch.randn(1, length, dim) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=2)
        self.norm = torch.nn.LayerNorm(dim)
        self.head = torch.nn.Linear(dim, classes)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pos[:, : tokens.shape[1]]
        x = self.norm(self.encoder(x))
        return self.head(x.mean(dim=1))


class TinyLstm(torch.nn.Module):
    """A 2-layer LSTM over feature sequences with a linear head on the last step."""

    def __init__(self, features=8, hidden=16, classes=3):
        super().__init__()
        self.lstm = torch.nn.LSTM(features, hidden, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def models():
    image = torch.randn(1, 3, 64, 64)
    return {
        "resnet18": (torchvision.models.resnet18(num_classes=10), image),
        "mobilenet_v2": (torchvision.models.mobilenet_v2(num_classes=10), image),
        "efficientnet_b0": (torchvision.models.efficientnet_b0(num_classes=10), image),
        "squeezenet1_1": (torchvision.models.squeezenet1_1(num_classes=10), image),
        "shufflenet_v2_x0_5": (torchvision.models.shufflenet_v2_x0_5(num_classes=10), image),
        "transformer_encoder": (TinyTransformer(), torch.randint(0, 100, (1, 12))),
        "lstm": (TinyLstm(), torch.randn(1, 7, 8)),
    }


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for opset in (13, 17):
        torch.manual_seed(0)
        for name, (model, example) in models().items():
            path = os.path.join(out_dir, f"{name}_op{opset}.onnx")
            if os.path.exists(path):
                continue
            model.eval()
            tmp = path + ".partial"
            torch.onnx.export(model, (example,), tmp, opset_version=opset, input_names=["input"],
                              output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                              do_constant_folding=True)
            os.replace(tmp, path)
            print(f"exported {path}")


if __name__ == "__main__":
    main(sys.argv[1])
