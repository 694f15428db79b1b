package dev.mergenet.exporters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.analysis.ChannelStatistics;
import dev.mergenet.importers.edit.RestoreNormalization;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.FoldedModels;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.importers.verify.TensorComparison;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block trained with --restore-norm exports through ExportService into the original file's graph with the
 * BatchNormalizations kept or folded back (--fold-norm); ONNX Runtime gives both files the block's outputs.
 */
class RestoredNormExportTest {
    @TempDir
    Path dir;

    @Test
    void keptAndFoldedExportsMatchTheTrainedBlock() {
        Path original = FoldedModels.model("resnet_pretrained_folded");
        OnnxModel folded = OnnxModelReader.read(original);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray train = FoldedModels.images(m, "train").get("0:256");
            NDArray eval = FoldedModels.images(m, "eval").get("0:200");
            RestoreNormalization.Restored restored = RestoreNormalization.apply(
                    folded,
                    ChannelStatistics.measure(
                            folded, RestoreNormalization.targets(folded), m, FoldedModels.batches(train, 128)));
            OnnxGraphBlock block = OnnxImporter.load(restored.model(), m);
            // as training leaves them: the restored scales, shifts and statistics moved away from the identity
            Random random = new Random(3);
            for (var e : block.onnxParameters().entrySet()) {
                if (e.getKey().contains(RestoreNormalization.MARK)) {
                    Parameter p = e.getValue();
                    float[] v = p.getArray().toFloatArray();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = v[i] * (0.7f + 0.6f * random.nextFloat())
                                + (e.getKey().endsWith("var") ? 0 : 0.05f);
                    }
                    p.getArray().set(v);
                }
            }
            NDArray expected = block.forward(new ParameterStore(m, false), new NDList(eval), false)
                    .head();
            for (boolean fold : new boolean[] {false, true}) {
                Path out = dir.resolve(fold ? "folded.onnx" : "kept.onnx");
                ExportService.Result r = ExportService.export(ExportService.builder(original, out)
                        .trained(block)
                        .norm(new ExportService.NormEdit(true, fold))
                        .build());
                var g = OnnxModelReader.read(out).proto().getGraph();
                long norms = g.getNodeList().stream()
                        .filter(n -> n.getOpType().equals("BatchNormalization"))
                        .count();
                assertEquals(fold ? 0 : restored.nodes().size(), norms);
                assertTrue(r.lineage().settings().get("normalization").contains(fold ? "folded" : "kept"));
                try (OrtRunner ort = new OrtRunner(out)) {
                    TensorComparison.Result c = TensorComparison.compare(
                            FoldedModels.ortLogits(ort, m, eval), OrtCheck.host("logits", expected), 1e-4, 1e-3);
                    assertTrue(c.ok(), (fold ? "folded" : "kept") + " export against the block: " + c.reason());
                }
            }
        }
    }
}
