#!/usr/bin/python3
"""Reference values and gradients of the distillation losses, in PyTorch, float64.

  distill_reference.py DIR

Reads DIR/student.f64 and DIR/teacher.f64 ([batch, classes] logits, little-endian float64), DIR/labels.i64 and
DIR/config.json ({"batch", "classes", "cases": [{"name", "loss", hyperparameters...}]}); writes DIR/result.json with
each case's loss value and its gradient with respect to the student's logits. Each loss is written from its paper,
in the form of the authors' public code: Hinton KD; DKD (Zhao et al., CVPR 2022, mdistiller); logit
standardization (Sun et al., CVPR 2024); DIST (Huang et al., NeurIPS 2022).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def hinton(s, t, T):
    return F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="none").sum(1).mean() * T * T


def dkd(s, t, labels, alpha, beta, T):
    gt = torch.zeros_like(s).scatter_(1, labels.unsqueeze(1), 1).bool()
    other = ~gt
    ps = F.softmax(s / T, 1)
    pt = F.softmax(t / T, 1)

    def binary(p):
        return torch.cat([(p * gt).sum(1, keepdim=True), (p * other).sum(1, keepdim=True)], 1)

    tckd = F.kl_div(torch.log(binary(ps)), binary(pt), reduction="sum") * T ** 2 / s.shape[0]
    pt2 = F.softmax(t / T - 1000.0 * gt, 1)
    log_ps2 = F.log_softmax(s / T - 1000.0 * gt, 1)
    nckd = F.kl_div(log_ps2, pt2, reduction="sum") * T ** 2 / s.shape[0]
    return alpha * tckd + beta * nckd


def standardize(z):
    return (z - z.mean(-1, keepdim=True)) / (1e-7 + z.std(-1, keepdim=True))


def zscore(s, t, T):
    return hinton(standardize(s), standardize(t), T)


def pearson(a, b, eps=1e-8):
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)


def dist(s, t, beta, gamma, T):
    ys = F.softmax(s / T, 1)
    yt = F.softmax(t / T, 1)
    inter = 1 - pearson(ys, yt).mean()
    intra = 1 - pearson(ys.t(), yt.t()).mean()
    return T ** 2 * (beta * inter + gamma * intra)


def main(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    shape = (cfg["batch"], cfg["classes"])
    s0 = torch.from_numpy(np.fromfile(os.path.join(d, "student.f64"), "<f8").reshape(shape))
    t = torch.from_numpy(np.fromfile(os.path.join(d, "teacher.f64"), "<f8").reshape(shape))
    labels = torch.from_numpy(np.fromfile(os.path.join(d, "labels.i64"), "<i8"))
    out = {}
    for c in cfg["cases"]:
        s = s0.clone().requires_grad_(True)
        kind = c["loss"]
        if kind == "hinton":
            loss = hinton(s, t, c["T"])
        elif kind == "dkd":
            loss = dkd(s, t, labels, c["alpha"], c["beta"], c["T"])
        elif kind == "zscore":
            loss = zscore(s, t, c["T"])
        elif kind == "dist":
            loss = dist(s, t, c["beta"], c["gamma"], c["T"])
        else:
            raise SystemExit(f"error: unknown loss {kind}")
        loss.backward()
        out[c["name"]] = {"value": loss.item(), "grad": s.grad.reshape(-1).tolist()}
    with open(os.path.join(d, "result.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: distill_reference.py DIR")
    main(sys.argv[1])
