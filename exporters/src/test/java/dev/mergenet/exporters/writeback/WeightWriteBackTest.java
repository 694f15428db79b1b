package dev.mergenet.exporters.writeback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * New values written into a model: tensors keep name, dims, type and storage form; unchanged tensors stay
 * the same TensorProto; ONNX Runtime on the result equals ONNX Runtime on a model built directly with the
 * new values.
 */
class WeightWriteBackTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** x[2,3] -> Gemm(W raw, B typed) -> BatchNormalization -> Mul(Constant scale) -> y[2,4]. */
    private static ModelProto model(float[] w, float[] b, float[] mean, float[] var, float[] scale) {
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .setDocString("the graph's doc")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 2, 3))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE, 2, 4))
                .addInitializer(raw("W", new long[] {3, 4}, w))
                .addInitializer(Models.floats("B", new long[] {4}, b))
                .addInitializer(Models.floats("gamma", new long[] {4}, 1f, 2f, 0.5f, 1f))
                .addInitializer(Models.floats("beta", new long[] {4}, 0f, 0.1f, 0.2f, 0.3f))
                .addInitializer(raw("mean", new long[] {4}, mean))
                .addInitializer(raw("var", new long[] {4}, var))
                .addNode(Models.node("Gemm", new String[] {"x", "W", "B"}, new String[] {"h"}).toBuilder()
                        .setName("fc")
                        .setDocString("fully connected")
                        .build())
                .addNode(Models.node(
                                "BatchNormalization",
                                new String[] {"h", "gamma", "beta", "mean", "var"},
                                new String[] {"n"})
                        .toBuilder()
                        .setName("bn")
                        .build())
                .addNode(Models.node(
                                "Constant",
                                new String[0],
                                new String[] {"s"},
                                AttributeProto.newBuilder()
                                        .setName("value")
                                        .setType(AttributeProto.AttributeType.TENSOR)
                                        .setT(Models.floats("s_value", new long[] {4}, scale))
                                        .build())
                        .toBuilder()
                        .setName("scale_const")
                        .build())
                .addNode(Models.node("Mul", new String[] {"n", "s"}, new String[] {"y"}).toBuilder()
                        .setName("mul")
                        .build())
                .build();
        return Models.model(g, 13).toBuilder()
                .setDocString("model doc")
                .addMetadataProps(
                        StringStringEntryProto.newBuilder().setKey("author").setValue("someone"))
                .build();
    }

    private static TensorProto raw(String name, long[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b))
                .setDocString("raw " + name);
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static final float[] W = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f, -0.9f, 1.0f, 1.1f, 1.2f};
    private static final float[] B = {0.01f, 0.02f, 0.03f, 0.04f};
    private static final float[] MEAN = {0.1f, 0.2f, -0.1f, 0f};
    private static final float[] VAR = {1f, 0.5f, 2f, 1.5f};
    private static final float[] S = {1f, -1f, 2f, 0.5f};

    @Test
    void trainedValuesReplaceOnlyWhatChangedAndKeepStorageForms() throws Exception {
        OnnxModel original = OnnxModelReader.read(model(W, B, MEAN, VAR, S).toByteArray());
        float[] w2 = W.clone();
        w2[5] = 3.25f;
        float[] b2 = {-1f, 0f, 1f, 2f};
        float[] mean2 = {0.5f, -0.5f, 0.25f, 1f};
        float[] var2 = {0.25f, 4f, 1f, 0.75f};
        float[] s2 = {2f, 2f, -3f, 1f};
        Map<String, NDArray> values = new LinkedHashMap<>();
        values.put("W", manager.create(w2, new Shape(3, 4)));
        values.put("B", manager.create(b2));
        values.put("gamma", manager.create(new float[] {1f, 2f, 0.5f, 1f}));
        values.put("mean", manager.create(mean2));
        values.put("var", manager.create(var2));
        values.put("s", manager.create(s2));
        WeightWriteBack.Result r = WeightWriteBack.apply(original, values);
        assertEquals(Set.of("W", "B", "mean", "var", "s"), r.changed());
        assertEquals(Set.of("gamma"), r.unchanged());

        GraphProto before = original.proto().getGraph();
        GraphProto after = r.model().getGraph();
        assertTrue(after.getInitializer(0).hasRawData(), "W stays raw_data");
        assertEquals("raw W", after.getInitializer(0).getDocString());
        assertEquals(4, after.getInitializer(1).getFloatDataCount(), "B stays in float_data");
        assertFalse(after.getInitializer(1).hasRawData());
        assertTrue(before.getInitializer(2) == after.getInitializer(2)
                || before.getInitializer(2).equals(after.getInitializer(2)));
        assertEquals(before.getInitializer(3), after.getInitializer(3), "beta was not given: untouched");
        assertEquals(4, after.getNode(2).getAttribute(0).getT().getFloatDataCount(), "Constant keeps float_data");
        assertEquals("s_value", after.getNode(2).getAttribute(0).getT().getName());
        assertEquals(
                before.getNodeList().stream()
                        .map(n -> n.getName() + n.getOpType() + n.getInputList())
                        .toList(),
                after.getNodeList().stream()
                        .map(n -> n.getName() + n.getOpType() + n.getInputList())
                        .toList());
        assertEquals("the graph's doc", after.getDocString());
        assertEquals("model doc", r.model().getDocString());

        ModelProto stamped = Provenance.stamp(
                r.model(),
                Lineage.export("a".repeat(64)).withSetting("steps", "3").withMetric("accuracy", 0.75));
        assertEquals("someone", Provenance.metadata(stamped, "author").orElseThrow());
        Lineage l = Provenance.lineage(stamped).orElseThrow();
        assertEquals("3", l.settings().get("steps"));
        assertEquals(0.75, l.metrics().get("accuracy"));

        // independent reference: the same graph built directly with the new values
        ModelProto expected = model(w2, b2, mean2, var2, s2);
        NDArray x = manager.randomNormal(new Shape(2, 3));
        try (OrtReference a = new OrtReference(stamped.toByteArray());
                OrtReference e = new OrtReference(expected.toByteArray());
                OrtReference old = new OrtReference(original.proto().toByteArray())) {
            List<OrtReference.Output> got = a.run(new NDList(x));
            assertEquals(e.run(new NDList(x)).get(0).bytes(), got.get(0).bytes());
            assertNotEquals(old.run(new NDList(x)).get(0).bytes(), got.get(0).bytes());
        }
    }

    @Test
    void float16AndDoubleTensorsKeepTheirType() {
        TensorProto half = TensorProto.newBuilder()
                .setName("h")
                .setDataType(TensorProto.DataType.FLOAT16_VALUE)
                .addDims(2)
                .addInt32Data(0x3c00)
                .addInt32Data(0x4000)
                .build();
        TensorProto dbl = TensorProto.newBuilder()
                .setName("d")
                .setDataType(TensorProto.DataType.DOUBLE_VALUE)
                .addDims(2)
                .addDoubleData(1.5)
                .addDoubleData(-2.5)
                .build();
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .addInitializer(half)
                .addInitializer(dbl)
                .addInput(Models.value("a", TensorProto.DataType.FLOAT16_VALUE, 2))
                .addInput(Models.value("b", TensorProto.DataType.DOUBLE_VALUE, 2))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT16_VALUE, 2))
                .addOutput(Models.value("z", TensorProto.DataType.DOUBLE_VALUE, 2))
                .addNode(Models.node("Add", new String[] {"a", "h"}, new String[] {"y"}))
                .addNode(Models.node("Add", new String[] {"b", "d"}, new String[] {"z"}))
                .build();
        OnnxModel m = OnnxModelReader.read(Models.model(g, 13).toByteArray());
        // trained in float32 (as DJL may hold them), written back in the tensors' own types
        WeightWriteBack.Result r = WeightWriteBack.apply(
                m,
                Map.of(
                        "h", manager.create(new float[] {3f, -0.5f}).toType(DataType.FLOAT16, false),
                        "d", manager.create(new float[] {0.25f, 8f})));
        TensorProto h2 = r.model().getGraph().getInitializer(0);
        TensorProto d2 = r.model().getGraph().getInitializer(1);
        assertEquals(TensorProto.DataType.FLOAT16_VALUE, h2.getDataType());
        assertEquals(List.of(0x4200, 0xb800), h2.getInt32DataList());
        assertEquals(TensorProto.DataType.DOUBLE_VALUE, d2.getDataType());
        assertEquals(List.of(0.25, 8.0), d2.getDoubleDataList());
    }

    @Test
    void wrongShapesAndUnknownNamesAreRefusedByName() {
        OnnxModel m = OnnxModelReader.read(model(W, B, MEAN, VAR, S).toByteArray());
        MergeNetException e = assertThrows(
                MergeNetException.class, () -> WeightWriteBack.apply(m, Map.of("W", manager.zeros(new Shape(4, 3)))));
        assertTrue(e.getMessage().contains("'W'") && e.getMessage().contains("(4, 3)"), e.getMessage());
        e = assertThrows(
                MergeNetException.class, () -> WeightWriteBack.apply(m, Map.of("nope", manager.zeros(new Shape(1)))));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
