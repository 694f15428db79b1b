package dev.mergenet.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import java.util.Arrays;
import java.util.Map;

/**
 * Forward+backward step of the imported small CNN (batch 128, 1x28x28) against the same network written directly
 * with DJL NDArray calls, same weights, same process, interleaved. Both release each step's arrays through a
 * per-step NDManager. Usage: InterpreterOverheadBenchmark [STEPS=40] [BATCH=128]
 */
public final class InterpreterOverheadBenchmark {
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        try (NDManager manager = TorchEngine.newManager(Device.cpu())) {
            OnnxGraphBlock block =
                    OnnxImporter.load(OnnxModelReader.read(SmallCnn.model(0).toByteArray()), manager);
            Map<String, Parameter> p = block.onnxParameters();
            NDArray x = manager.randomNormal(new Shape(batch, 1, 28, 28));
            ParameterStore store = new ParameterStore(manager, false);
            for (int i = 0; i < 5; i++) {
                stepImported(block, store, x);
                stepHandWritten(p, x);
            }
            double[] imported = new double[steps];
            double[] hand = new double[steps];
            for (int i = 0; i < steps; i++) {
                if (i % 2 == 0) { // alternate which one runs first, so neither gains from the other's warm caches
                    imported[i] = stepImported(block, store, x);
                    hand[i] = stepHandWritten(p, x);
                } else {
                    hand[i] = stepHandWritten(p, x);
                    imported[i] = stepImported(block, store, x);
                }
            }
            double mi = median(imported);
            double mh = median(hand);
            System.out.printf(
                    "threads: %d, batch %d, %d steps each (interleaved, alternating order)%n",
                    Runtime.getRuntime().availableProcessors(), batch, steps);
            System.out.printf("imported graph : median %.2f ms/step%n", mi);
            System.out.printf("hand-written   : median %.2f ms/step%n", mh);
            System.out.printf("overhead ratio : %.3f%n", mi / mh);
        }
    }

    private static double stepImported(OnnxGraphBlock block, ParameterStore store, NDArray x) {
        long t0 = System.nanoTime();
        try (NDManager step = x.getManager().newSubManager();
                GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray in = x.duplicate();
            in.attach(step);
            NDArray out = block.forward(store, new NDList(in), true).singletonOrThrow();
            gc.backward(out.square().mean());
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double stepHandWritten(Map<String, Parameter> p, NDArray x) {
        long t0 = System.nanoTime();
        try (NDManager step = x.getManager().newSubManager();
                GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray in = x.duplicate();
            in.attach(step);
            var ex = in.getNDArrayInternal();
            NDArray h = ex.convolution(
                            in,
                            w(p, "conv1.weight", step),
                            w(p, "conv1.bias", step),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            1)
                    .singletonOrThrow()
                    .getNDArrayInternal()
                    .relu();
            h = h.getNDArrayInternal().maxPool(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            h = h.getNDArrayInternal()
                    .convolution(
                            h,
                            w(p, "conv2.weight", step),
                            w(p, "conv2.bias", step),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            1)
                    .singletonOrThrow()
                    .getNDArrayInternal()
                    .relu();
            h = h.getNDArrayInternal().maxPool(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            h = h.reshape(h.getShape().get(0), -1);
            NDArray out = h.getNDArrayInternal()
                    .linear(h, w(p, "fc.weight", step), w(p, "fc.bias", step))
                    .singletonOrThrow();
            gc.backward(out.square().mean());
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /** The parameter through a handle owned by the step, as a careful hand-written loop does. */
    private static NDArray w(Map<String, Parameter> p, String name, NDManager step) {
        return Scopes.alias(p.get(name).getArray(), step);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
