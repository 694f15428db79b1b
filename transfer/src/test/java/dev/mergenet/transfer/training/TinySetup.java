package dev.mergenet.transfer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import dev.mergenet.transfer.app.StepComposition;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.DjlBlockModel;
import dev.mergenet.transfer.model.TrainableModel;
import java.io.PrintStream;
import java.util.List;
import java.util.Random;

/** Small DJL-built models and a synthetic 3-class problem for loop tests (the ONNX ops are tested elsewhere). */
final class TinySetup {
    static final int FEATURES = 12;
    static final int CLASSES = 3;

    private TinySetup() {}

    /** Target: Linear(12→16)-BN-ReLU-Dropout-Linear(16→3), deterministic init. */
    static DjlBlockModel target(NDManager manager) {
        Engine.getEngine("PyTorch").setRandomSeed(1234);
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(16).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.1f).build())
                .add(Linear.builder().setUnits(CLASSES).build());
        b.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES));
        return new DjlBlockModel(b, "tiny-target");
    }

    /** Source: an MLP of another shape, Linear(12→24)-ReLU-Linear(24→3). */
    static DjlBlockModel source(NDManager manager) {
        Engine.getEngine("PyTorch").setRandomSeed(4321);
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(24).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(CLASSES).build());
        b.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES));
        return new DjlBlockModel(b, "tiny-source");
    }

    /** Gaussian clusters, 3 classes. */
    static DataSplits data(int n, int validation) {
        Random r = new Random(99);
        float[] x = new float[n * FEATURES];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % CLASSES;
            for (int f = 0; f < FEATURES; f++) {
                x[i * FEATURES + f] = (float) (r.nextGaussian() + (f % CLASSES == y[i] ? 1.5 : 0));
            }
        }
        LabeledData all = new LabeledData("synthetic", x, y, new Shape(FEATURES), CLASSES);
        return DataSplits.split(all, null, validation, 0);
    }

    /** The loop of a run composed as the job composes it (participants from the mode). */
    static TransferRun run(
            RunConfig cfg,
            TrainableModel target,
            TrainableModel source,
            List<PairSpec> pairs,
            DataSplits data,
            DataSplits sourceData,
            NDManager manager,
            PrintStream log) {
        return StepComposition.run(cfg, target, source, pairs, data, sourceData, null, manager, log);
    }

    static RunConfig config(Mode mode, int epochs, int cycle) {
        return RunConfig.builder(mode)
                .training(tr -> tr.epochs(epochs)
                        .seed(7)
                        .batchSize(32)
                        .optimizer(OptimizerKind.SGD)
                        .lr(0.05)
                        .schedule(Schedule.STEP)
                        .weightDecay(5e-4))
                .adapter(a -> a.cycle(cycle))
                .control(rc -> rc.withKeep(Keep.LAST, 0))
                .build();
    }
}
