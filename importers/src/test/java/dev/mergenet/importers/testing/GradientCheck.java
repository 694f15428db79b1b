package dev.mergenet.importers.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Autograd against central finite differences, in float64. The scalar checked is sum_k sum(out_k * R_k) with
 * fixed random R_k, so every output element's gradient contributes. Inputs listed as not differentiable (for
 * example integer indices) are fed but not checked.
 */
public final class GradientCheck {
    private GradientCheck() {}

    /**
     * Checks d(loss)/d(input) for the inputs whose index is in {@code checked}. {@code values} holds each graph
     * input (float64 arrays for the checked ones; any type for the others) created by {@code make}.
     */
    public static void assertGradients(ModelProto proto, InputMaker make, int[] checked, double tol) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), manager);
            NDList inputs = make.make(manager);
            Random rnd = new Random(7);
            List<NDArray> weights = new ArrayList<>();
            NDList probe = block.forward(new ParameterStore(manager, false), inputs, false);
            for (NDArray o : probe) {
                double[] w = new double[(int) o.getShape().size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = rnd.nextDouble() * 2 - 1;
                }
                weights.add(manager.create(w, o.getShape()).toType(o.getDataType(), false));
            }
            for (int idx : checked) {
                inputs.get(idx).setRequiresGradient(true);
            }
            double[][] analytic = new double[checked.length][];
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = loss(block, manager, inputs, weights);
                NativeMemoryChurn.run();
                gc.backward(loss);
            }
            for (int c = 0; c < checked.length; c++) {
                analytic[c] = inputs.get(checked[c])
                        .getGradient()
                        .toType(DataType.FLOAT64, false)
                        .toDoubleArray();
            }
            double eps = 1e-6;
            for (int c = 0; c < checked.length; c++) {
                NDArray x = inputs.get(checked[c]);
                double[] base = x.toType(DataType.FLOAT64, false).toDoubleArray();
                Shape shape = x.getShape();
                for (int i = 0; i < base.length; i++) {
                    double[] plus = base.clone();
                    plus[i] += eps;
                    double[] minus = base.clone();
                    minus[i] -= eps;
                    double lp = lossWith(block, manager, inputs, weights, checked[c], plus, shape);
                    double lm = lossWith(block, manager, inputs, weights, checked[c], minus, shape);
                    double numeric = (lp - lm) / (2 * eps);
                    double err = Math.abs(numeric - analytic[c][i]) / Math.max(1.0, Math.abs(numeric));
                    assertTrue(
                            err <= tol,
                            "input " + checked[c] + " element " + i + ": autograd " + analytic[c][i]
                                    + " vs finite difference " + numeric);
                }
            }
        }
    }

    /** Makes the graph inputs (fresh arrays, owned by the manager). */
    @FunctionalInterface
    public interface InputMaker {
        NDList make(NDManager manager);
    }

    private static NDArray loss(OnnxGraphBlock block, NDManager m, NDList inputs, List<NDArray> weights) {
        NDList out = block.forward(new ParameterStore(m, false), inputs, false);
        NDArray total = null;
        for (int k = 0; k < out.size(); k++) {
            if (!out.get(k).getDataType().isFloating()) {
                continue;
            }
            NDArray term = out.get(k)
                    .toType(DataType.FLOAT64, false)
                    .mul(weights.get(k).toType(DataType.FLOAT64, false))
                    .sum();
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    private static double lossWith(
            OnnxGraphBlock block,
            NDManager m,
            NDList inputs,
            List<NDArray> weights,
            int index,
            double[] values,
            Shape shape) {
        try (NDManager tmp = m.newSubManager()) {
            NDList copy = new NDList();
            for (int i = 0; i < inputs.size(); i++) {
                copy.add(i == index ? tmp.create(values, shape) : inputs.get(i).duplicate());
            }
            return loss(block, tmp, copy, weights).getDouble();
        }
    }
}
