package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** y = x·Wᵀ + b with W stored [out, in] as in torch.nn.Linear. */
final class Linear {
    private final String weight;
    private final String bias;

    Linear(NamedArrays arrays, TorchInit init, String name, int in, int out) {
        this.weight = name + ".weight";
        this.bias = name + ".bias";
        arrays.addParameter(weight, init.uniform(new Shape(out, in), in));
        arrays.addParameter(bias, init.uniform(new Shape(out), in));
    }

    NDArray forward(NamedArrays.Scoped p, NDArray x) {
        return x.matMul(p.param(weight).transpose()).add(p.param(bias));
    }
}
