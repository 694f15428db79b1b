package dev.mergenet.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Training step time (forward, backward, SGD update; BatchNorm in training mode) of the imported PaddleOCR
 * direction classifier. Usage: PaddleOcrStepBenchmark MODEL.onnx [BATCH=32] [STEPS=20]
 */
public final class PaddleOcrStepBenchmark {
    public static void main(String[] args) {
        Path file = Path.of(args.length > 0 ? args[0] : ".cache/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx");
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        try (NDManager manager = TorchEngine.newManager(Device.cpu());
                Model model = TorchEngine.newModel("cls", Device.cpu())) {
            OnnxGraphBlock block = OnnxImporter.load(file, model.getNDManager());
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.01f))
                            .optMomentum(0.9f)
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 3, 48, 192));
                NDArray x = manager.randomUniform(0, 1, new Shape(batch, 3, 48, 192));
                NDArray target = manager.randomInteger(0, 2, new Shape(batch), DataType.INT64)
                        .oneHot(2);
                double[] times = new double[steps];
                for (int i = -3; i < steps; i++) {
                    long t0 = System.nanoTime();
                    try (NDManager step = manager.newSubManager();
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray in = x.duplicate();
                        in.attach(step);
                        NDArray prob = trainer.forward(new NDList(in)).singletonOrThrow();
                        // the model ends in Softmax: cross-entropy on its probabilities
                        NDArray loss = prob.add(1e-7f)
                                .log()
                                .mul(target)
                                .sum(new int[] {1})
                                .neg()
                                .mean();
                        gc.backward(loss);
                    }
                    trainer.step();
                    if (i >= 0) {
                        times[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Arrays.sort(times);
                System.out.printf(
                        "PaddleOCR direction classifier, batch %d, %d threads: median %.1f ms/step (%.0f images/s)%n",
                        batch,
                        Runtime.getRuntime().availableProcessors(),
                        times[steps / 2],
                        batch * 1000 / times[steps / 2]);
            }
        }
    }
}
