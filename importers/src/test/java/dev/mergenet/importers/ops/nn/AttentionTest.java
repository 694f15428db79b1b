package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Attention (opset 23) against ONNX Runtime: layouts, grouped heads, masks, causality, past state, softcap. */
class AttentionTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    @Test
    void fourDimensionalAttentionMatchesOrt() {
        long[][] shapes = {dims(2, 4, 3, 8), dims(2, 4, 5, 8), dims(2, 4, 5, 6)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("Attention", 23, FLOAT, shapes, 1),
                NodeCases.random(70, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void threeDimensionalGroupedHeadsMatchOrt() {
        long[][] shapes = {dims(2, 3, 32), dims(2, 5, 16), dims(2, 5, 12)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "Attention",
                        23,
                        FLOAT,
                        shapes,
                        1,
                        intAttr("q_num_heads", 4),
                        intAttr("kv_num_heads", 2),
                        floatAttr("scale", 0.3f)),
                NodeCases.random(71, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    private static ModelProto masked(int maskType, long[] maskShape, int mode, AttributeProto... extra) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("attention");
        AttributeProto[] attrs = Arrays.copyOf(extra, extra.length + 1);
        attrs[extra.length] = intAttr("qk_matmul_output_mode", mode);
        g.addNode(Models.node(
                "Attention", new String[] {"q", "k", "v", "mask"}, new String[] {"y", "", "", "qk"}, attrs));
        g.addInput(Models.value("q", FLOAT, 2, 2, 3, 4))
                .addInput(Models.value("k", FLOAT, 2, 2, 5, 4))
                .addInput(Models.value("v", FLOAT, 2, 2, 5, 4))
                .addInput(Models.value("mask", maskType, maskShape));
        // ONNX Runtime produces present_key/present_value only when past ones are given.
        for (String o : new String[] {"y", "qk"}) {
            g.addOutput(Models.value(o, FLOAT));
        }
        return Models.model(g.build(), 23);
    }

    private static GradientCheck.InputMaker maskedInputs(boolean boolMask, long[] maskShape) {
        return m -> {
            Random rnd = new Random(72);
            NDList list = new NDList(
                    NodeCases.uniform(m, rnd, DataType.FLOAT32, dims(2, 2, 3, 4), -1, 1),
                    NodeCases.uniform(m, rnd, DataType.FLOAT32, dims(2, 2, 5, 4), -1, 1),
                    NodeCases.uniform(m, rnd, DataType.FLOAT32, dims(2, 2, 5, 4), -1, 1));
            if (boolMask) {
                boolean[] keep = new boolean[(int) new Shape(maskShape).size()];
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = i % 5 != 3;
                }
                list.add(m.create(keep, new Shape(maskShape)));
            } else {
                list.add(NodeCases.uniform(m, rnd, DataType.FLOAT32, maskShape, -2, 0));
            }
            return list;
        };
    }

    @Test
    void masksSoftcapAndEveryQkOutputModeMatchOrt() {
        for (int mode = 0; mode <= 3; mode++) {
            OrtCheck.assertMatchesOrt(
                    masked(TensorProto.DataType.BOOL_VALUE, dims(3, 5), mode),
                    maskedInputs(true, dims(3, 5)),
                    ATOL,
                    RTOL);
            OrtCheck.assertMatchesOrt(
                    masked(FLOAT, dims(2, 1, 3, 5), mode, floatAttr("softcap", 2.5f)),
                    maskedInputs(false, dims(2, 1, 3, 5)),
                    ATOL,
                    RTOL);
        }
    }

    @Test
    void causalAttentionWithPastStateMatchesOrt() {
        GraphProto g = GraphProto.newBuilder()
                .setName("attention")
                .addNode(Models.node(
                        "Attention",
                        new String[] {"q", "k", "v", "", "past_k", "past_v"},
                        new String[] {"y", "present_k", "present_v"},
                        intAttr("is_causal", 1)))
                .addInput(Models.value("q", FLOAT, 1, 2, 3, 4))
                .addInput(Models.value("k", FLOAT, 1, 2, 3, 4))
                .addInput(Models.value("v", FLOAT, 1, 2, 3, 4))
                .addInput(Models.value("past_k", FLOAT, 1, 2, 2, 4))
                .addInput(Models.value("past_v", FLOAT, 1, 2, 2, 4))
                .addOutput(Models.value("y", FLOAT))
                .addOutput(Models.value("present_k", FLOAT))
                .addOutput(Models.value("present_v", FLOAT))
                .build();
        OrtCheck.assertMatchesOrt(
                Models.model(g, 23),
                NodeCases.random(
                        73,
                        DataType.FLOAT32,
                        dims(1, 2, 3, 4),
                        dims(1, 2, 3, 4),
                        dims(1, 2, 3, 4),
                        dims(1, 2, 2, 4),
                        dims(1, 2, 2, 4)),
                ATOL,
                RTOL);
        long[][] shapes = {dims(1, 2, 4, 4), dims(1, 2, 4, 4), dims(1, 2, 4, 4)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("Attention", 23, FLOAT, shapes, 1, intAttr("is_causal", 1)),
                NodeCases.random(74, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void gradientsReachQueriesKeysValuesAndMask() {
        long[][] shapes = {dims(1, 2, 3, 4), dims(1, 1, 4, 4), dims(1, 1, 4, 3), dims(3, 4)};
        GradientCheck.assertGradients(
                NodeCases.model("Attention", 23, DOUBLE, shapes, 1, floatAttr("softcap", 3f)),
                NodeCases.random(75, DataType.FLOAT64, shapes),
                new int[] {0, 1, 2, 3},
                1e-5);
    }
}
