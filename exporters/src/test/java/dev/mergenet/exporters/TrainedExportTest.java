package dev.mergenet.exporters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.exporters.writeback.TensorEncoder;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.edit.SoftmaxTail;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.testing.OrtAgreement;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PaddleOCR direction classifier trained for a few steps in DJL (BatchNorm in training mode, Softmax
 * taken off for the loss), exported with the Softmax put back, run in ONNX Runtime.
 */
class TrainedExportTest {
    @TempDir
    Path tmp;

    @Test
    void trainedClassifierExportsWithItsWeightsStatisticsAndLineage() throws Exception {
        Path file = TestData.ocrClassifier();
        String sha = ModelHash.sha256(file);
        OnnxModel original = OnnxModelReader.read(file);
        SoftmaxTail.TrainingView view = SoftmaxTail.trainingView(original);
        assertEquals(1, view.removed().size(), "the classifier ends in one Softmax");
        int steps = 3;
        int batch = 8;
        Shape shape = new Shape(batch, 3, 48, 192);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                Model model = Model.newInstance("cls", Device.cpu(), "PyTorch")) {
            try (OnnxGraphBlock block = OnnxImporter.load(view.model(), model.getNDManager())) {
                model.setBlock(block);
                DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(Optimizer.sgd()
                                .setLearningRateTracker(Tracker.fixed(0.05f))
                                .build());
                double lastLoss = Double.NaN;
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(shape);
                    manager.getEngine().setRandomSeed(11);
                    for (int i = 0; i < steps; i++) {
                        try (NDManager step = manager.newSubManager();
                                GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray x = step.randomUniform(0, 1, shape);
                            NDArray y = step.randomInteger(0, 2, new Shape(batch), DataType.INT64);
                            NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                            NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                            lastLoss = loss.getFloat();
                            gc.backward(loss);
                        }
                        trainer.step();
                    }
                }
                Lineage lineage = new Lineage(
                        "train",
                        sha,
                        null,
                        Map.of(
                                "optimizer",
                                "sgd",
                                "learning_rate",
                                "0.05",
                                "steps",
                                Integer.toString(steps),
                                "batch",
                                Integer.toString(batch)),
                        Map.of("train_loss", lastLoss));
                ModelProto trained = OnnxExporter.trainedModel(block, view.removed(), lineage);
                Path out = tmp.resolve("cls-trained.onnx");
                OnnxExporter.write(trained, view.model(), out, WriteOptions.defaults(), Precision.FP32);

                OnnxModel back = OnnxModelReader.read(out);
                // BatchNorm statistics: the trained values, which differ from the original ones
                Map<String, TensorProto> originalTensors = ExportService.floatTensors(original);
                Map<String, TensorProto> written = ExportService.floatTensors(back);
                int statsChanged = 0;
                for (String name : block.runningStatNames()) {
                    Parameter p = block.parameter(name);
                    ByteBuffer expected =
                            TensorEncoder.bytes(p.getArray(), written.get(name).getDataType());
                    ByteBuffer got = TensorDecoder.decode(written.get(name), out.toString(), out.getParent())
                            .bytes();
                    assertEquals(expected, got.rewind(), "running statistic " + name + " in the file");
                    if (!got.rewind()
                            .equals(TensorDecoder.decode(originalTensors.get(name), "orig", null)
                                    .bytes()
                                    .rewind())) {
                        statsChanged++;
                    }
                }
                assertTrue(
                        statsChanged >= block.runningStatNames().size() / 2,
                        "training moved only " + statsChanged + " of "
                                + block.runningStatNames().size() + " statistics");
                assertEquals(
                        original.proto().getGraph().getNodeCount(),
                        back.proto().getGraph().getNodeCount());
                assertEquals(
                        original.proto().getGraph().getOutput(0),
                        back.proto().getGraph().getOutput(0));

                Lineage l = Provenance.lineage(back.proto()).orElseThrow();
                assertEquals(sha, l.inputModelSha256());
                assertEquals("train", l.operation());
                assertEquals("3", l.settings().get("steps"));
                assertEquals(lastLoss, l.metrics().get("train_loss"), 0.0);
                assertEquals(
                        Provenance.PRODUCER,
                        Provenance.metadata(back.proto(), Provenance.KEY_PRODUCER)
                                .orElseThrow());

                // eval output of the imported graph (plus the Softmax) against ONNX Runtime on the file
                NDArray x = manager.randomUniform(0, 1, new Shape(4, 3, 48, 192));
                NDArray probs = block.forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow()
                        .softmax(1);
                try (OrtReference ort = new OrtReference(out);
                        OrtReference before = new OrtReference(file)) {
                    List<OrtReference.Output> o = ort.run(new NDList(x));
                    double diff = OrtAgreement.assertAgree("trained classifier", new NDList(probs), o, 1e-5, 0);
                    System.out.printf(
                            "trained PaddleOCR classifier: max |DJL eval - ORT| = %.3g, final loss %.4f,"
                                    + " %d of %d BN statistics moved%n",
                            diff,
                            lastLoss,
                            statsChanged,
                            block.runningStatNames().size());
                    assertNotEquals(
                            before.run(new NDList(x)).get(0).bytes(),
                            o.get(0).bytes(),
                            "the exported file must not behave like the untrained one");
                }
            }
        }
    }
}
