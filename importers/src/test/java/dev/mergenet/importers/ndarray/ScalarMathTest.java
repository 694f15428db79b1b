package dev.mergenet.importers.ndarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mergenet.importers.testing.NativeMemoryChurn;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Gradients through scalar arithmetic stay correct when the garbage collector runs between forward and backward
 * (DJL's Number overloads fail exactly this: their scalar's memory is freed and backward reads NaN).
 */
class ScalarMathTest {
    private static final double[] X = {0.5, 1.5, -2.0, 3.0};

    enum Op {
        MUL((x, v) -> ScalarMath.mul(x, v), 2.5) {
            double grad(double x) {
                return 2.5;
            }
        },
        DIV((x, v) -> ScalarMath.div(x, v), 4.0) {
            double grad(double x) {
                return 0.25;
            }
        },
        POW((x, v) -> ScalarMath.pow(x, v), 3.0) {
            double grad(double x) {
                return 3 * x * x;
            }
        },
        MAXIMUM((x, v) -> ScalarMath.maximum(x, v), 1.0) {
            double grad(double x) {
                return x > 1.0 ? 1 : 0;
            }
        },
        MINIMUM((x, v) -> ScalarMath.minimum(x, v), 1.0) {
            double grad(double x) {
                return x < 1.0 ? 1 : 0;
            }
        };

        final BiFunction<NDArray, Double, NDArray> apply;
        final double scalar;

        Op(BiFunction<NDArray, Double, NDArray> apply, double scalar) {
            this.apply = apply;
            this.scalar = scalar;
        }

        abstract double grad(double x);
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void gradientSurvivesGarbageCollectionBeforeBackward(Op op) {
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = m.create(X).toType(type, false);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray y = op.apply.apply(x, op.scalar);
                    assertEquals(type, y.getDataType());
                    NativeMemoryChurn.run();
                    gc.backward(y.sum());
                }
                double[] got = x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                double[] want = new double[X.length];
                for (int i = 0; i < X.length; i++) {
                    want[i] = op.grad(X[i]);
                }
                assertArrayEquals(want, got, 1e-6, op + " " + type);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void integerArraysKeepTheirType(Op op) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(new long[] {1, 2, 3});
            assertEquals(DataType.INT64, ScalarMath.mul(x, 3L).getDataType());
            assertArrayEquals(new long[] {3, 6, 9}, ScalarMath.mul(x, 3L).toLongArray());
        }
    }
}
