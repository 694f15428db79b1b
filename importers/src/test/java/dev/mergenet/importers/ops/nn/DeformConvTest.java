package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.importers.verify.TensorComparison;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DeformConv. ONNX Runtime has no DeformConv kernel, so the reference is ONNX Runtime's Conv on an input
 * resampled on the host: with one constant offset (dy, dx) for every kernel element and a constant mask m,
 * DeformConv(x) equals m * Conv(x') where x'(h, w) is x bilinearly sampled at (h + dy, w + dx), zero outside.
 */
class DeformConvTest {
    private static final long C = 4;
    private static final long H = 6;
    private static final long W = 7;

    /** x' sampled on the host: bilinear, zero outside the map, for one (N=1) image. */
    private static float[] shifted(float[] x, double dy, double dx) {
        float[] out = new float[x.length];
        for (int c = 0; c < C; c++) {
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    double y = h + dy;
                    double xx = w + dx;
                    int y0 = (int) Math.floor(y);
                    int x0 = (int) Math.floor(xx);
                    double sum = 0;
                    for (int a = 0; a <= 1; a++) {
                        for (int b = 0; b <= 1; b++) {
                            int yy = y0 + a;
                            int xw = x0 + b;
                            if (yy >= 0 && yy < H && xw >= 0 && xw < W) {
                                double wy = a == 1 ? y - y0 : 1 - (y - y0);
                                double wx = b == 1 ? xx - x0 : 1 - (xx - x0);
                                sum += wy * wx * x[(int) ((c * H + yy) * W + xw)];
                            }
                        }
                    }
                    out[(int) ((c * H + h) * W + w)] = (float) sum;
                }
            }
        }
        return out;
    }

    private static void assertDeformMatchesShiftedConv(double dy, double dx, float mask, AttributeProto... attrs) {
        long[] wShape = dims(6, 2, 3, 2);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Random rnd = new Random(61);
            NDArray x = NodeCases.uniform(m, rnd, DataType.FLOAT32, dims(1, C, H, W), -1, 1);
            NDArray w = NodeCases.uniform(m, rnd, DataType.FLOAT32, wShape, -1, 1);
            long[][] convShapes = {dims(1, C, H, W), wShape};
            ModelProto conv = NodeCases.model("Conv", 13, FLOAT, convShapes, 1, attrs);
            NDArray xs = m.create(shifted(x.toFloatArray(), dy, dx), x.getShape());
            Map<String, TensorData> feeds = new LinkedHashMap<>();
            feeds.put("i0", OrtCheck.host("i0", xs));
            feeds.put("i1", OrtCheck.host("i1", w));
            TensorData expected;
            try (OrtRunner ort = new OrtRunner(conv.toByteArray(), "conv reference")) {
                expected = ort.run(feeds).get("o0");
            }
            long[] out = expected.shape().getShape();
            long points = out[2] * out[3];
            NDArray offset = m.full(new Shape(1, 2, 6, 2, points), 0f);
            offset = offset.add(m.create(new float[] {(float) dy, (float) dx}).reshape(1, 1, 1, 2, 1))
                    .reshape(new Shape(1, 2 * 6 * 2, out[2], out[3]));
            NDArray maskArray = m.full(new Shape(1, 2 * 6, out[2], out[3]), mask);
            long[][] shapes = {
                dims(1, C, H, W),
                wShape,
                offset.getShape().getShape(),
                dims(6),
                maskArray.getShape().getShape()
            };
            AttributeProto[] all = Arrays.copyOf(attrs, attrs.length + 1);
            all[attrs.length] = intAttr("offset_group", 2);
            ModelProto deform = NodeCases.model("DeformConv", 19, FLOAT, shapes, 1, all);
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(deform.toByteArray()), m);
            NDArray y = block.forward(
                            new ParameterStore(m, false),
                            new NDList(x, w, offset, m.zeros(new Shape(6)), maskArray),
                            false)
                    .head();
            NDArray reference = expected.toNDArray(m).mul(mask);
            TensorComparison.Result r = TensorComparison.compare(y, OrtCheck.host("ref", reference), 1e-5, 1e-4);
            assertTrue(r.ok(), "offset (" + dy + ", " + dx + "), mask " + mask + ": " + r.reason());
        }
    }

    @Test
    void zeroOffsetsAndUnitMaskAreAConvolution() {
        assertDeformMatchesShiftedConv(
                0,
                0,
                1f,
                intAttr("group", 2),
                ints("strides", 1, 2),
                ints("pads", 1, 0, 1, 1),
                ints("dilations", 2, 1));
    }

    @Test
    void constantOffsetsSampleBilinearlyAndMaskScales() {
        assertDeformMatchesShiftedConv(1, -1, 0.5f, intAttr("group", 2));
        assertDeformMatchesShiftedConv(0.25, -0.5, 1f, intAttr("group", 2), ints("strides", 2, 1));
        assertDeformMatchesShiftedConv(-1.75, 2.5, 0.75f, intAttr("group", 2), ints("dilations", 1, 2));
    }

    @Test
    void gradientsReachInputWeightsOffsetsMaskAndBias() {
        long[][] shapes = {dims(1, 2, 4, 3), dims(2, 1, 2, 2), dims(1, 2 * 4 * 2, 3, 2), dims(2), dims(1, 2 * 4, 3, 2)};
        GradientCheck.InputMaker inputs = m -> {
            Random rnd = new Random(62);
            NDList list = new NDList();
            for (int i = 0; i < shapes.length; i++) {
                // Offsets away from integers, so the finite differences do not straddle a pixel boundary.
                list.add(
                        i == 2
                                ? NodeCases.uniform(m, rnd, DataType.FLOAT64, shapes[i], -1.3, 1.3)
                                        .mul(0.9)
                                        .add(0.05)
                                : NodeCases.uniform(m, rnd, DataType.FLOAT64, shapes[i], -1, 1));
            }
            return list;
        };
        GradientCheck.assertGradients(
                NodeCases.model("DeformConv", 19, DOUBLE, shapes, 1, intAttr("group", 2), intAttr("offset_group", 2)),
                inputs,
                new int[] {0, 1, 2, 3, 4},
                1e-5);
    }
}
