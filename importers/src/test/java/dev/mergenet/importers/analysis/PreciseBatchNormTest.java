package dev.mergenet.importers.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.FoldedModels;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Precise BN against PyTorch doing the same recomputation (reset_running_stats, momentum=None, train-mode passes
 * over the same batches) on the same fresh network, exported with its BatchNorms kept.
 */
class PreciseBatchNormTest {
    @ParameterizedTest
    @ValueSource(strings = {"mobilenet", "resnet"})
    void matchesPyTorchsRecomputation(String net) {
        float[] expected = FoldedModels.floats(net + "_precise_bn");
        int batches = (int) FoldedModels.reference("precise_batches");
        int size = (int) FoldedModels.reference("precise_batch");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(FoldedModels.model(net + "_fresh_kept")), m);
            NDArray train = FoldedModels.images(m, "train");
            List<NDList> data = FoldedModels.batches(train, size).subList(0, batches);
            try (PreciseBatchNorm precise = new PreciseBatchNorm(block, m)) {
                PreciseBatchNorm.Result r = precise.recompute(data);
                assertEquals(batches, r.batches());
                assertTrue(r.meanShift() > 0.01, "the export's statistics were not already these");
                int at = 0;
                for (PreciseBatchNorm.Norm n : precise.norms()) {
                    float[] mean = block.parameter(n.mean()).getArray().toFloatArray();
                    float[] var = block.parameter(n.variance()).getArray().toFloatArray();
                    for (float[] actual : new float[][] {mean, var}) {
                        for (int c = 0; c < actual.length; c++, at++) {
                            float e = expected[at];
                            assertEquals(
                                    e,
                                    actual[c],
                                    1e-4 + 1e-3 * Math.abs(e),
                                    net + " " + n.node() + " channel " + c + (actual == mean ? " mean" : " var"));
                        }
                    }
                }
                assertEquals(expected.length, at, "every BatchNorm of the PyTorch model");
                assertEquals(r.norms(), precise.norms().size());
            }
        }
    }
}
