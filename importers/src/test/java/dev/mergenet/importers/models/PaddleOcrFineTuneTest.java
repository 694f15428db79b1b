package dev.mergenet.importers.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.testing.TestData;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fine-tuning the imported PaddleOCR direction classifier with DJL's Trainer: SGD (lr 0.001; at 0.01 the first
 * step already saturates the softmax on this batch) on one fixed random batch
 * with BatchNormalization in training mode. The loss must fall, the weights must move, and the BatchNorm
 * running statistics must be updated.
 *
 * <p>The model ends in Softmax, so its output is a probability. DJL's SoftmaxCrossEntropyLoss with
 * fromLogit=false expects log-probabilities, so the loss is fed log(p) (clamped away from 0): that is exactly
 * the cross-entropy of the pre-softmax logits. Feeding p itself with fromLogit=true would apply a second
 * softmax and train a different objective.
 */
class PaddleOcrFineTuneTest {
    private static final int BATCH = 8;
    private static final int STEPS = 5;

    @Test
    void sgdStepsLowerTheLossMoveTheWeightsAndUpdateBatchNormStatistics() {
        try (Model model = Model.newInstance("ppocr-cls", Device.cpu(), "PyTorch");
                NDManager data = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            try (OnnxGraphBlock block = OnnxImporter.load(TestData.ocrClassifier(), model.getNDManager())) {
                model.setBlock(block);
                Loss crossEntropy = new SoftmaxCrossEntropyLoss("ce", 1f, -1, true, false);
                DefaultTrainingConfig config = new DefaultTrainingConfig(crossEntropy)
                        .optOptimizer(Optimizer.sgd()
                                .setLearningRateTracker(Tracker.fixed(0.001f))
                                .build());
                Map<String, float[]> before = snapshot(block);
                String conv = firstTrainable(block);
                String stat = block.runningStatNames().iterator().next();
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(new Shape(BATCH, 3, 48, 192));
                    Random rnd = new Random(11);
                    float[] pixels = new float[BATCH * 3 * 48 * 192];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = rnd.nextFloat() * 2 - 1;
                    }
                    NDArray x = data.create(pixels, new Shape(BATCH, 3, 48, 192));
                    NDArray labels = data.create(new long[] {0, 1, 1, 0, 1, 0, 0, 1});
                    float first = Float.NaN;
                    float last = Float.NaN;
                    for (int step = 0; step < STEPS; step++) {
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray probabilities =
                                    trainer.forward(new NDList(x)).singletonOrThrow();
                            NDArray logProbabilities =
                                    probabilities.clip(1e-7f, 1f).log();
                            NDArray loss = crossEntropy.evaluate(new NDList(labels), new NDList(logProbabilities));
                            gc.backward(loss);
                            last = loss.getFloat();
                            if (step == 0) {
                                first = last;
                            }
                        }
                        trainer.step();
                    }
                    assertTrue(Float.isFinite(first) && Float.isFinite(last), "finite losses");
                    assertTrue(last < first * 0.9f, "loss fell from " + first + " to " + last);
                }
                Map<String, float[]> after = snapshot(block);
                assertChanged(before, after, conv, "trainable weight");
                assertChanged(before, after, stat, "BatchNorm running statistic");
                long movedStats = block.runningStatNames().stream()
                        .filter(n -> !Arrays.equals(before.get(n), after.get(n)))
                        .count();
                assertTrue(
                        movedStats == block.runningStatNames().size(),
                        movedStats + " of " + block.runningStatNames().size() + " running statistics moved");
            }
        }
    }

    private static Map<String, float[]> snapshot(OnnxGraphBlock block) {
        Map<String, float[]> copy = new HashMap<>();
        block.onnxParameters()
                .forEach((name, p) -> copy.put(
                        name, p.getArray().toType(DataType.FLOAT32, false).toFloatArray()));
        return copy;
    }

    private static String firstTrainable(OnnxGraphBlock block) {
        for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
            if (e.getValue().requiresGradient()
                    && e.getValue().getArray().getShape().dimension() == 4) {
                return e.getKey();
            }
        }
        throw new AssertionError("no trainable convolution weight");
    }

    private static void assertChanged(
            Map<String, float[]> before, Map<String, float[]> after, String name, String what) {
        assertFalse(Arrays.equals(before.get(name), after.get(name)), what + " '" + name + "' did not change");
    }
}
