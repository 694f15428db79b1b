"""PyTorch reference for learned compactors (transfer/.../compactor/CompactorTransfer.java).

Reads DIR/input.json: ws [O_s, I_s, kh, kw], cr [O_t, O_s], cc [I_s, I_t], x [N, I_t, H, W], y (the conv output's
shape), padding. Computes in double W_t = C_r . W_s . C_c at every kernel position, L = sum(conv2d(x, W_t) * y) and
dL/dC_r, dL/dC_c by autograd; writes DIR/result.json with w, grad_cr, grad_cc (flattened, row-major).
"""
import json
import sys

import torch


def main(d):
    with open(f"{d}/input.json") as f:
        c = json.load(f)

    def tensor(name, grad=False):
        t = torch.tensor(c[name]["values"], dtype=torch.float64).reshape(c[name]["shape"])
        return t.requires_grad_(grad)

    ws, x, y = tensor("ws"), tensor("x"), tensor("y")
    cr, cc = tensor("cr", True), tensor("cc", True)
    w = torch.einsum("ta,abhw,bi->tihw", cr, ws, cc)
    loss = (torch.nn.functional.conv2d(x, w, padding=c["padding"]) * y).sum()
    loss.backward()
    out = {
        "w": w.detach().flatten().tolist(),
        "loss": loss.item(),
        "grad_cr": cr.grad.flatten().tolist(),
        "grad_cc": cc.grad.flatten().tolist(),
    }
    with open(f"{d}/result.json", "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
