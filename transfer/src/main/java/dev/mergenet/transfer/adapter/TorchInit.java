package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * PyTorch's default initialisation, drawn from a host-side seeded generator so that an adapter is the same on
 * every device and for every engine RNG state.
 */
final class TorchInit {
    private final NDManager manager;
    private final DataType type;
    private final Random random;

    TorchInit(NDManager manager, DataType type, long seed) {
        this.manager = manager;
        this.type = type;
        this.random = new Random(seed);
    }

    /** nn.Linear default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    NDArray uniform(Shape shape, int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        double[] v = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (random.nextDouble() * 2 - 1) * bound;
        }
        return manager.create(v, shape).toType(type, false);
    }

    NDArray normal(Shape shape) {
        double[] v = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return manager.create(v, shape).toType(type, false);
    }

    NDArray ones(Shape shape) {
        return manager.ones(shape, type);
    }

    NDArray zeros(Shape shape) {
        return manager.zeros(shape, type);
    }
}
