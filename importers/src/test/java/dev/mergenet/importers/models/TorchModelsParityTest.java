package dev.mergenet.importers.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.ModelVerifier;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real models of the common families, exported by PyTorch (Debian's python3-torch 1.13) at opsets 13 and 17 by
 * scripts/export_torch_models.py: the imported graph matches ONNX Runtime at batch 2 (the export's batch is
 * symbolic), and every float initializer is a trainable parameter.
 */
class TorchModelsParityTest {
    static Stream<String> models() {
        return Stream.of(
                        "resnet18",
                        "mobilenet_v2",
                        "efficientnet_b0",
                        "squeezenet1_1",
                        "shufflenet_v2_x0_5",
                        "transformer_encoder",
                        "lstm")
                .flatMap(m -> Stream.of(m + "_op13", m + "_op17"));
    }

    static Path file(String name) {
        return TestData.require(TestData.cache().resolve("torch-models").resolve(name + ".onnx"));
    }

    @ParameterizedTest
    @MethodSource("models")
    void matchesOnnxRuntimeAtAnotherBatchSize(String name) {
        List<ModelVerifier.Check> checks = ModelVerifier.verify(
                file(name), new ModelVerifier.Options(null, Map.of("batch", 2L), 1e-4, 1e-3, 42, Device.cpu()));
        assertFalse(checks.isEmpty());
        for (ModelVerifier.Check c : checks) {
            assertTrue(
                    c.result().ok(),
                    name + " output " + c.output() + ": " + c.result().reason());
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyFloatInitializerIsTrainable(String name) {
        OnnxModel model = OnnxModelReader.read(file(name));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(model, manager);
            for (TensorProto t : model.proto().getGraph().getInitializerList()) {
                if (OnnxDataTypes.isFloat(t.getDataType())) {
                    Parameter p = block.onnxParameters().get(t.getName());
                    assertTrue(p != null, name + ": float initializer '" + t.getName() + "' is not a parameter");
                    assertEquals(!block.runningStatNames().contains(t.getName()), p.requiresGradient(), t.getName());
                }
            }
        }
    }

    /** The embedding table and the MatMul weights of attention and feed-forward layers train. */
    @Test
    void transformerEmbeddingAndMatMulWeightsGetGradients() {
        OnnxModel model = OnnxModelReader.read(file("transformer_encoder_op17"));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(model, manager);
            String embedding = null;
            List<String> matmulWeights = new ArrayList<>();
            for (var n : model.proto().getGraph().getNodeList()) {
                if (n.getOpType().equals("Gather") && block.onnxParameters().containsKey(n.getInput(0))) {
                    embedding = n.getInput(0);
                }
                boolean dense = n.getOpType().equals("MatMul") || n.getOpType().equals("Gemm");
                if (dense && block.onnxParameters().containsKey(n.getInput(1))) {
                    matmulWeights.add(n.getInput(1));
                }
            }
            assertTrue(embedding != null, "no Gather reads an embedding parameter");
            assertTrue(matmulWeights.size() >= 5, "MatMul/Gemm weights that are parameters: " + matmulWeights);
            NDArray tokens = manager.randomInteger(0, 100, new Shape(3, 12), DataType.INT64);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDList out = block.forward(new ParameterStore(manager, false), new NDList(tokens), true);
                gc.backward(out.singletonOrThrow().square().sum());
            }
            assertTrue(
                    block.parameter(embedding)
                                    .getArray()
                                    .getGradient()
                                    .abs()
                                    .sum()
                                    .getFloat()
                            > 0,
                    "embedding received no gradient");
            for (String w : matmulWeights) {
                assertTrue(
                        block.parameter(w).getArray().getGradient().abs().sum().getFloat() > 0,
                        w + " received no gradient");
            }
        }
    }
}
