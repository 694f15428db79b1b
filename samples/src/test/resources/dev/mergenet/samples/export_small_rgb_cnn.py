"""Exports a small, randomly initialised PyTorch CNN for 3x32x32 images (10 classes) to ONNX: the model
OwnClassifierExampleTest re-heads to its image folder's classes. Usage: export_small_rgb_cnn.py OUT.onnx"""
import sys

import torch
from torch import nn

torch.set_num_threads(2)
torch.manual_seed(7)
model = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 8 * 8, 64), nn.ReLU(), nn.Linear(64, 10),
).eval()
torch.onnx.export(model, torch.zeros(1, 3, 32, 32), sys.argv[1], opset_version=17,
                  input_names=["image"], output_names=["logits"],
                  dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
