package dev.mergenet.importers.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.importers.testing.TestData;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An ONNX file loaded through DJL's Criteria: predicts what ONNX Runtime computes, and trains. */
class OnnxModelZooTest {
    private static final Shape IMAGE = new Shape(2, 3, 48, 192);

    @Test
    void criteriaLoadsAPredictorThatMatchesOnnxRuntime() throws Exception {
        Path file = TestData.ocrClassifier();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelZoo(new OnnxModelZoo(file))
                .optDevice(Device.cpu())
                .build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            assertInstanceOf(OnnxGraphBlock.class, model.getBlock());
            manager.getEngine().setRandomSeed(3);
            NDArray x = manager.randomUniform(0, 1, IMAGE);
            float[] ours = predictor.predict(new NDList(x)).singletonOrThrow().toFloatArray();
            float[] ort = ort(file, x);
            assertEquals(ort.length, ours.length);
            for (int i = 0; i < ort.length; i++) {
                assertEquals(ort[i], ours[i], 1e-5, "output " + i);
            }
        }
    }

    @Test
    void aCriteriaLoadedModelTrainsWithDjlsTrainer() throws Exception {
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelZoo(new OnnxModelZoo(TestData.ocrClassifier()))
                .optDevice(Device.cpu())
                .build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            OnnxGraphBlock block = (OnnxGraphBlock) model.getBlock();
            String weight = block.onnxParameters().entrySet().stream()
                    .filter(e -> e.getValue().requiresGradient())
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            float[] before = block.parameter(weight).getArray().toFloatArray();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.1f))
                            .build());
            try (Trainer trainer = model.newTrainer(config);
                    NDManager step = trainer.getManager().newSubManager()) {
                trainer.initialize(IMAGE);
                float[] kept = block.parameter(weight).getArray().toFloatArray();
                assertEquals(
                        Arrays.toString(before), Arrays.toString(kept), "initialize must keep the imported weights");
                NDArray x = step.randomUniform(0, 1, IMAGE);
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray y = trainer.forward(new NDList(x)).singletonOrThrow();
                    gc.backward(trainer.getLoss().evaluate(new NDList(y.zerosLike()), new NDList(y)));
                }
                trainer.step();
            }
            float[] after = block.parameter(weight).getArray().toFloatArray();
            double moved = 0;
            for (int i = 0; i < after.length; i++) {
                moved = Math.max(moved, Math.abs(after[i] - before[i]));
            }
            assertTrue(moved > 0, weight + " did not move in one SGD step");
        }
    }

    @Test
    void aTranslatorGivesTypedInputsAndOutputs() throws Exception {
        Path file = TestData.ocrClassifier();
        Criteria<float[], Integer> criteria = Criteria.builder()
                .setTypes(float[].class, Integer.class)
                .optModelZoo(new OnnxModelZoo(file))
                .optTranslator(new ArgMaxTranslator())
                .optDevice(Device.cpu())
                .build();
        try (ZooModel<float[], Integer> model = criteria.loadModel();
                Predictor<float[], Integer> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            manager.getEngine().setRandomSeed(5);
            NDArray x = manager.randomUniform(0, 1, new Shape(1, 3, 48, 192));
            float[] ort = ort(file, x);
            int expected = ort[1] > ort[0] ? 1 : 0;
            assertEquals(expected, predictor.predict(x.toFloatArray()));
        }
    }

    @Test
    void typesWithoutATranslatorAreRefusedByName() {
        Criteria<String, String> criteria = Criteria.builder()
                .setTypes(String.class, String.class)
                .optModelZoo(new OnnxModelZoo(TestData.ocrClassifier()))
                .build();
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, criteria::loadModel);
        assertTrue(String.valueOf(e.getCause()).contains("need a translator"), String.valueOf(e.getCause()));
    }

    @Test
    void aMissingFileIsOneErrorNamingIt() {
        Path missing = Path.of("no/such/model.onnx");
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelZoo(new OnnxModelZoo(missing))
                .build();
        MergeNetException e = assertThrows(MergeNetException.class, criteria::loadModel);
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    /** ONNX Runtime's first output on x, flattened. */
    private static float[] ort(Path file, NDArray x) {
        try (OrtRunner ort = new OrtRunner(file)) {
            String input = ort.inputNames().get(0);
            TensorData out = ort.run(Map.of(input, OrtCheck.host(input, x)))
                    .get(ort.outputNames().get(0));
            FloatBuffer b =
                    out.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return v;
        }
    }

    /** One 3x48x192 image as floats in, the most likely of the classifier's two classes out. */
    private static final class ArgMaxTranslator implements Translator<float[], Integer> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] input) {
            return new NDList(ctx.getNDManager().create(input, new Shape(1, 3, 48, 192)));
        }

        @Override
        public Integer processOutput(TranslatorContext ctx, NDList list) {
            return (int) list.singletonOrThrow().argMax(1).getLong(0);
        }

        @Override
        public Batchifier getBatchifier() {
            return null;
        }
    }
}
