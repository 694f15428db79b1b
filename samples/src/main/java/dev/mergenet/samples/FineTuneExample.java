package dev.mergenet.samples;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.exporters.OnnxExporter;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.edit.SoftmaxTail;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.data.IdxDataset;
import dev.mergenet.transfer.data.LabeledData;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The Java API from import to export, with DJL's own training loop: import an ONNX classifier that takes
 * [batch, 1, 28, 28] images, fine-tune it on a Fashion-MNIST subset with {@code EasyTrain}, write the trained
 * weights back into the original graph, and run the file in ONNX Runtime.
 *
 * <p>Usage: {@code FineTuneExample MODEL.onnx FASHION_MNIST_DIR OUT.onnx [TRAIN_SAMPLES [TEST_SAMPLES [EPOCHS]]]}
 */
public final class FineTuneExample {
    /** Largest |DJL - ONNX Runtime| accepted between the trained block and its exported file. */
    public static final double MAX_EXPORT_DIFF = 1e-4;

    private FineTuneExample() {}

    /** What a run measured: ONNX Runtime's test accuracy of the input and the exported model, and more. */
    public record Result(
            Path output, double accuracyBefore, double accuracyAfter, double trainLoss, double maxAbsDiff) {}

    public static void main(String[] args) throws IOException, TranslateException, OrtException {
        if (args.length < 3 || args.length > 6) {
            System.err.println("usage: FineTuneExample MODEL.onnx FASHION_MNIST_DIR OUT.onnx"
                    + " [TRAIN_SAMPLES [TEST_SAMPLES [EPOCHS]]]");
            System.exit(2);
        }
        int train = args.length > 3 ? Integer.parseInt(args[3]) : 5000;
        int test = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int epochs = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        Device device = TorchEngine.defaultDevice();
        Result r = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), train, test, epochs, device);
        System.out.printf(
                "wrote %s: test accuracy in ONNX Runtime %.1f%% -> %.1f%%, final train loss %.4f,"
                        + " max |DJL - ONNX Runtime| %.2g%n",
                r.output(), 100 * r.accuracyBefore(), 100 * r.accuracyAfter(), r.trainLoss(), r.maxAbsDiff());
    }

    /** Fine-tunes {@code modelFile} on the first {@code trainSamples} training images and exports it. */
    public static Result run(
            Path modelFile, Path fashionDir, Path output, int trainSamples, int testSamples, int epochs, Device device)
            throws IOException, TranslateException, OrtException {
        LabeledData train = first(IdxDataset.load(fashionDir, true), trainSamples);
        LabeledData test = first(IdxDataset.load(fashionDir, false), testSamples);
        int batch = 64;
        TorchEngine.setRandomSeed(42);
        // A trailing Softmax is taken off for the loss and put back on export.
        SoftmaxTail.TrainingView view = SoftmaxTail.trainingView(OnnxModelReader.read(modelFile));
        try (Model model = TorchEngine.newModel("fine-tuned", device)) {
            OnnxGraphBlock block = OnnxImporter.load(view.model(), model.getNDManager());
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam()
                            .optLearningRateTracker(Tracker.fixed(1e-3f))
                            .build())
                    .addEvaluator(new Accuracy())
                    .optDevices(new Device[] {device})
                    .addTrainingListeners(TrainingListener.Defaults.basic());
            TrainingResult result;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.setMetrics(new Metrics());
                trainer.initialize(new Shape(batch).addAll(train.sampleShape()));
                EasyTrain.fit(trainer, epochs, dataset(trainer.getManager(), train, batch), null);
                result = trainer.getTrainingResult();
            }
            Lineage lineage = new Lineage(
                    "train",
                    ModelHash.sha256(modelFile),
                    null,
                    Map.of(
                            "data",
                            train.origin(),
                            "samples",
                            Integer.toString(train.size()),
                            "epochs",
                            Integer.toString(epochs),
                            "optimizer",
                            "adam",
                            "learning_rate",
                            "0.001"),
                    Map.of("train_loss", (double) result.getTrainLoss()));
            OnnxExporter.write(
                    OnnxExporter.trainedModel(block, view.removed(), lineage),
                    view.model(),
                    output,
                    WriteOptions.defaults(),
                    Precision.FP32);

            double diff = exportDifference(block, view, output, test, model.getNDManager());
            if (diff > MAX_EXPORT_DIFF) {
                throw new IllegalStateException(output + " differs from the trained block by " + diff);
            }
            return new Result(output, accuracy(modelFile, test), accuracy(output, test), result.getTrainLoss(), diff);
        }
    }

    /** The first {@code n} samples (Fashion-MNIST's files are already shuffled). */
    static LabeledData first(LabeledData data, int n) {
        return data.subset(IntStream.range(0, Math.min(n, data.size())).toArray(), data.origin() + "[:" + n + "]");
    }

    private static ArrayDataset dataset(NDManager manager, LabeledData data, int batch) {
        int[] all = IntStream.range(0, data.size()).toArray();
        return new ArrayDataset.Builder()
                .setData(data.features(manager, all, 0, all.length))
                .optLabels(data.labels(manager, all, 0, all.length))
                .setSampling(batch, true)
                .build();
    }

    /** Max |trained block (eval mode, Softmax put back) - ONNX Runtime on the exported file| on test images. */
    private static double exportDifference(
            OnnxGraphBlock block, SoftmaxTail.TrainingView view, Path output, LabeledData test, NDManager parent)
            throws OrtException {
        int n = Math.min(16, test.size());
        int[] idx = IntStream.range(0, n).toArray();
        try (NDManager manager = parent.newSubManager()) {
            NDArray x = test.features(manager, idx, 0, n);
            NDArray djl = block.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            if (!view.removed().isEmpty()) {
                djl = djl.softmax(1);
            }
            float[][] ort = runOrt(output, x.toFloatArray(), x.getShape().getShape());
            float[] ours = djl.toFloatArray();
            int width = ours.length / n;
            double max = 0;
            for (int i = 0; i < ours.length; i++) {
                max = Math.max(max, Math.abs(ours[i] - ort[i / width][i % width]));
            }
            return max;
        }
    }

    /** Accuracy of an ONNX classifier in ONNX Runtime: argmax of its first output against the labels. */
    static double accuracy(Path modelFile, LabeledData data) throws OrtException {
        int[] idx = IntStream.range(0, data.size()).toArray();
        try (NDManager manager = TorchEngine.newManager(Device.cpu())) {
            NDArray x = data.features(manager, idx, 0, idx.length);
            float[][] scores = runOrt(modelFile, x.toFloatArray(), x.getShape().getShape());
            int correct = 0;
            for (int i = 0; i < idx.length; i++) {
                int arg = 0;
                for (int c = 1; c < scores[i].length; c++) {
                    arg = scores[i][c] > scores[i][arg] ? c : arg;
                }
                correct += arg == data.label(i) ? 1 : 0;
            }
            return (double) correct / idx.length;
        }
    }

    /** The model's first output, one row per sample, computed by ONNX Runtime on the CPU. */
    private static float[][] runOrt(Path modelFile, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(modelFile.toString(), options);
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                OrtSession.Result out =
                        session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            return (float[][]) out.get(0).getValue();
        }
    }
}
