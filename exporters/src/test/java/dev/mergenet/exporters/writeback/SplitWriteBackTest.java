package dev.mergenet.exporters.writeback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tensors the importer split off value-merged initializers go back out under their own names, and ONNX Runtime
 * running the written model computes what the trained block computes.
 */
class SplitWriteBackTest {
    private static final int C = 4;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /**
     * x[2,3] -> Gemm -> bn0 -> Relu -> bn1 -> y, as PyTorch's eval export writes a fresh network: every BatchNorm
     * input comes from "ones" or "zeros" through Identity nodes named like the original tensors.
     */
    private static ModelProto merged() {
        GraphProto g = GraphProto.newBuilder()
                .setName("merged")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 2, 3))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE, 2, C))
                .addInitializer(Models.floats(
                        "W",
                        new long[] {3, C},
                        0.1f,
                        -0.2f,
                        0.3f,
                        0.4f,
                        0.5f,
                        -0.6f,
                        0.7f,
                        0.8f,
                        -0.9f,
                        1.0f,
                        1.1f,
                        1.2f))
                .addInitializer(Models.floats("ones", new long[] {C}, 1, 1, 1, 1))
                .addInitializer(Models.floats("zeros", new long[] {C}, 0, 0, 0, 0))
                .addNode(identity("zeros", "bn1.running_mean"))
                .addNode(identity("ones", "bn1.running_var"))
                .addNode(identity("zeros", "bn1.bias"))
                .addNode(identity("ones", "bn1.weight"))
                .addNode(identity("zeros", "bn0.running_mean"))
                .addNode(identity("ones", "bn0.running_var"))
                .addNode(named(Models.node("Gemm", new String[] {"x", "W"}, new String[] {"h"}), "fc"))
                .addNode(named(
                        Models.node(
                                "BatchNormalization",
                                new String[] {"h", "ones", "zeros", "bn0.running_mean", "bn0.running_var"},
                                new String[] {"n0"}),
                        "bn0"))
                .addNode(named(Models.node("Relu", new String[] {"n0"}, new String[] {"r"}), "relu"))
                .addNode(named(
                        Models.node(
                                "BatchNormalization",
                                new String[] {"r", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"},
                                new String[] {"y"}),
                        "bn1"))
                .build();
        return Models.model(g, 15);
    }

    private static NodeProto identity(String in, String out) {
        return named(Models.node("Identity", new String[] {in}, new String[] {out}), "Identity_" + out);
    }

    private static NodeProto named(NodeProto n, String name) {
        return n.toBuilder().setName(name).build();
    }

    private static OnnxModel read(ModelProto p) {
        return OnnxModelReader.read(p.toByteArray(), "merged", null);
    }

    /** Gives the named parameters new values, as training would (variances kept positive). */
    private static void perturb(OnnxGraphBlock block, Set<String> names, long seed) {
        Random rnd = new Random(seed);
        for (String name : names) {
            NDArray a = block.parameter(name).getArray();
            float[] v = a.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = name.endsWith("running_var") ? 0.5f + rnd.nextFloat() : (float) rnd.nextGaussian();
            }
            a.set(v);
        }
    }

    private static float[] blockOutput(OnnxGraphBlock block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false)
                .head()
                .toFloatArray();
    }

    private static float[] ortOutput(ModelProto p, NDArray x) throws Exception {
        try (OrtReference ort = new OrtReference(p.toByteArray())) {
            return ort.run(new NDList(x)).get(0).floats();
        }
    }

    @Test
    void everyTrainedSplitIsWrittenUnderItsOwnNameAndRunsInOnnxRuntime() throws Exception {
        try (OnnxGraphBlock block = OnnxImporter.load(read(merged()), manager)) {
            perturb(block, block.onnxParameters().keySet(), 7);
            WeightWriteBack.Result r = WeightWriteBack.apply(block);
            GraphProto g = r.model().getGraph();
            assertEquals(
                    List.of("Gemm", "BatchNormalization", "Relu", "BatchNormalization"),
                    g.getNodeList().stream().map(NodeProto::getOpType).toList(),
                    "no Identity left");
            assertEquals(
                    new TreeSet<>(block.onnxParameters().keySet()),
                    g.getInitializerList().stream()
                            .map(TensorProto::getName)
                            .collect(Collectors.toCollection(TreeSet::new)));
            assertEquals(
                    List.of("r", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"),
                    g.getNode(3).getInputList());
            NDArray x = manager.randomNormal(new Shape(2, 3));
            assertArrayEquals(blockOutput(block, x), ortOutput(r.model(), x), 1e-5f);
            // and the written file imports with the trained values
            try (OnnxGraphBlock again = OnnxImporter.load(read(r.model()), manager)) {
                for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
                    assertArrayEquals(
                            e.getValue().getArray().toFloatArray(),
                            again.parameter(e.getKey()).getArray().toFloatArray(),
                            e.getKey());
                }
            }
        }
    }

    @Test
    void onlySplitsThatLeftTheSharedValueAreWritten() throws Exception {
        try (OnnxGraphBlock block = OnnxImporter.load(read(merged()), manager)) {
            perturb(block, Set.of("bn1.weight", "bn0.running_var"), 11);
            WeightWriteBack.Result r = WeightWriteBack.apply(block);
            assertEquals(Set.of("bn1.weight", "bn0.running_var"), r.changed());
            GraphProto g = r.model().getGraph();
            assertEquals(
                    Set.of("W", "ones", "zeros", "bn1.weight", "bn0.running_var"),
                    g.getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toSet()));
            assertEquals(8, g.getNodeCount(), "four Identity aliases stay");
            NDArray x = manager.randomNormal(new Shape(2, 3));
            assertArrayEquals(blockOutput(block, x), ortOutput(r.model(), x), 1e-5f);
        }
    }

    @Test
    void anUntouchedSplitImportWritesTheOriginalModel() {
        OnnxModel model = read(merged());
        try (OnnxGraphBlock block = OnnxImporter.load(model, manager)) {
            WeightWriteBack.Result r = WeightWriteBack.apply(block);
            assertSame(model.proto(), r.model());
            assertTrue(r.changed().isEmpty());
        }
    }

    @Test
    void aCheckpointWithSplitNamesAppliesToTheOriginalModel() throws Exception {
        OnnxModel model = read(merged());
        try (OnnxGraphBlock block = OnnxImporter.load(model, manager)) {
            perturb(block, Set.of("bn1.bias", "zeros", "bn1.running_mean"), 13);
            Map<String, NDArray> values = block.onnxParameters().entrySet().stream()
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().getArray()));
            ModelProto written = WeightWriteBack.apply(model, values).model();
            NDArray x = manager.randomNormal(new Shape(2, 3));
            assertArrayEquals(blockOutput(block, x), ortOutput(written, x), 1e-5f);
        }
    }
}
