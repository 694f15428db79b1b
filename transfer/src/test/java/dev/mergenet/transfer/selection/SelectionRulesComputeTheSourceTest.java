package dev.mergenet.transfer.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules for messy exports, measured: where target and source have the same width and depth, selection takes
 * every entry, so the initialized target must compute in eval mode what the source computes (both imported and run
 * by our importer, the train-mode exports' BatchNormalizations turned into inference nodes): a folded source into a Conv + BN target, a BN source into a folded target, and a 3-channel source
 * into a 1-channel target on a gray image (the source sees it replicated to 3 channels).
 */
class SelectionRulesComputeTheSourceTest {
    @BeforeAll
    static void generate() throws Exception {
        WeightSelectionReferenceTest.generate();
    }

    @Test
    void aFoldedSourceInitializesAConvBnTargetThatComputesIt() {
        assertSameScores("full-folded", false);
    }

    @Test
    void aBatchNormSourceFoldedIntoAFoldedTargetComputesIt() {
        assertSameScores("full-fused-target", false);
    }

    @Test
    void aSummedStemOnAGrayImageComputesTheSourceOnItsThreeChannelCopy() {
        assertSameScores("full-gray", true);
    }

    @Test
    void tokenWiseMatMulsAndLayerNormsSelectAsPyTorchDoes() throws Exception {
        // PyTorch selected the same target on its modules and scored a fixed input; the MatMul weights' ONNX names
        // are the exporter's, so the comparison is by what the initialized target computes
        OnnxModel target = WeightSelectionReferenceTest.model("mlp", "target");
        WeightSelection.Selection sel =
                WeightSelection.select(WeightSelectionReferenceTest.model("mlp", "source"), target);
        assertEquals(Map.of(), sel.report().notMapped());
        assertEquals(10, sel.tensors().size(), sel.tensors().keySet().toString());
        // the fresh target's second LayerNorm reads the first's merged scale and bias through Identity nodes
        assertTrue(
                sel.report().rulesApplied().stream()
                        .anyMatch(r -> r.startsWith("ln2.weight: an Identity of" + " ln1.weight")),
                sel.report().rulesApplied().toString());
        assertTrue(sel.tensors().containsKey("ln2.bias"), sel.tensors().keySet().toString());
        float[] x = floats("mlp", "input.f32");
        float[] want = floats("mlp", "scores.f32");
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            float[] got = run(sel.initializedTarget(), m.create(x, new Shape(2, 3, 12)), m);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), "score " + i);
            }
        }
    }

    private static float[] floats(String c, String file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(
                        WeightSelectionReferenceTest.DIR.resolve(c).resolve(file)))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    private static void assertSameScores(String c, boolean gray) {
        OnnxModel source = WeightSelectionReferenceTest.model(c, "source");
        OnnxModel target = WeightSelectionReferenceTest.model(c, "target");
        WeightSelection.Selection sel = WeightSelection.select(source, target);
        assertEquals(java.util.Map.of(), sel.report().notMapped(), c + ": everything mapped at full width");
        OnnxModel initialized = sel.initializedTarget();
        Random r = new Random(3);
        float[] x = new float[2 * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            NDArray input = m.create(x, new Shape(2, 1, 28, 28));
            NDArray sourceInput = input.repeat(1, 3);
            if (!gray) {
                input = sourceInput;
            }
            float[] want = run(source, sourceInput, m);
            float[] got = run(initialized, input, m);
            float[] before = run(target, input, m);
            double scale = 0;
            double off = 0;
            for (int i = 0; i < want.length; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
                off = Math.max(off, Math.abs(before[i] - want[i]));
            }
            assertTrue(off > 1e-2 * scale, c + ": the target before selection should compute something else");
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 2e-6 * scale, c + ": score " + i);
            }
        }
    }

    private static float[] run(OnnxModel model, NDArray x, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            var block = OnnxImporter.load(inference(model), scope);
            NDList out = block.forward(new ParameterStore(scope, false), new NDList(x), false);
            return out.head().toFloatArray();
        }
    }

    /** The train-mode export's BatchNormalizations as inference nodes (running statistics, one output). */
    private static OnnxModel inference(OnnxModel model) {
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (n.getOpType().equals("BatchNormalization")) {
                NodeProto.Builder b =
                        n.toBuilder().clearAttribute().clearOutput().addOutput(n.getOutput(0));
                n.getAttributeList().stream()
                        .filter(a -> !a.getName().equals("training_mode"))
                        .forEach(b::addAttribute);
                g.setNode(i, b.build());
            }
        }
        return model.withProto(model.proto().toBuilder().setGraph(g).build());
    }
}
