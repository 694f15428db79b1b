package dev.mergenet.samples;

import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.ImageFolderDataset;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.data.LabeledData;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Your own classifier from image folders: make the images fit the model's input, re-head the model to the
 * folder's class count, train it, export it and measure the exported file in ONNX Runtime.
 *
 * <p>Usage: {@code OwnClassifierExample MODEL.onnx TRAIN_DIR TEST_DIR OUT.onnx [EPOCHS]}, each DIR holding one
 * sub-folder of images per class (sorted names are the labels).
 */
public final class OwnClassifierExample {
    private OwnClassifierExample() {}

    public static void main(String[] args) throws OrtException {
        Path model = Path.of(args[0]);
        Path out = Path.of(args[3]);
        int epochs = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        // images are read as RGB in [0, 1]; this model takes 3x32x32, normalized
        InputAdaptation fit = new InputAdaptation(new int[] {32, 32}, 3, new float[] {0.5f}, new float[] {0.25f});
        LabeledData test = fit.apply(ImageFolderDataset.load(Path.of(args[2]), fit.resize()));
        // numClasses re-heads the model's last layer to the folder's classes (importers.edit.ClassifierHead);
        // the job trains the model alone, keeps the best validation epoch and exports it (exporters.ExportService)
        TransferJob.Request request = TransferJob.Request.builder(
                        model, "folder:" + args[1], RunConfig.defaults(Mode.ALONE, epochs, 0))
                .adaptation(fit)
                .numClasses(test.classes())
                .outputs(out, null, null)
                .build();
        TransferJob.run(request, TorchEngine.defaultDevice(), System.out);
        System.out.printf(
                "wrote %s: %d classes, test accuracy in ONNX Runtime %.1f%%%n",
                out, test.classes(), 100 * ortAccuracy(out, test));
    }

    /** Share of {@code data} whose argmax of the model's first output, run by ONNX Runtime, is its label. */
    static double ortAccuracy(Path model, LabeledData data) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = new Shape(1).addAll(data.sampleShape()).getShape();
        int correct = 0;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(model.toString(), options)) {
            String input = session.getInputNames().iterator().next();
            for (int i = 0; i < data.size(); i++) {
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data.sample(i)), shape);
                        OrtSession.Result r = session.run(Map.of(input, x))) {
                    float[] scores = ((float[][]) r.get(0).getValue())[0];
                    int best = 0;
                    for (int c = 1; c < scores.length; c++) {
                        best = scores[c] > scores[best] ? c : best;
                    }
                    correct += best == data.label(i) ? 1 : 0;
                }
            }
        }
        return (double) correct / data.size();
    }
}
