package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.transfer.distill.KdLoss;
import dev.mergenet.transfer.distill.KdWarmup;
import dev.mergenet.transfer.model.DjlBlockModel;
import dev.mergenet.transfer.optim.SgdMomentum;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * --kd-warmup: the ramp against DKD's reference rule (min(epoch / warmup, 1), epochs from 1, held through the
 * epoch), and the target's loss (1 − α)·CE + w·α·KD with cross-entropy computed here by hand.
 */
class KdWarmupTest {
    @Test
    void theRampReachesTheReferenceWeightAtTheEndOfEveryEpoch() {
        int warmupEpochs = 20;
        int steps = 7;
        KdWarmup w = new KdWarmup(warmupEpochs, steps);
        for (int epoch = 1; epoch <= 30; epoch++) {
            double reference = Math.min(epoch / (double) warmupEpochs, 1.0);
            long lastStep = (long) epoch * steps - 1;
            assertEquals(reference, w.weight(lastStep), 1e-12, "end of epoch " + epoch);
            // within the epoch the ramp rises from the previous epoch's reference value to this one's
            long firstStep = (long) (epoch - 1) * steps;
            double previous = Math.min((epoch - 1) / (double) warmupEpochs, 1.0);
            assertEquals(Math.min(previous + 1.0 / (warmupEpochs * steps), 1), w.weight(firstStep), 1e-12, "" + epoch);
        }
        assertEquals(1.0 / 140, w.weight(0), 1e-15);
        assertEquals(0.5, w.weight(69), 1e-15);
        assertEquals(1.0, w.weight(139), 0);
        assertEquals(1.0, w.weight(10_000), 0);
        assertEquals(140, w.steps());
        // half an epoch of warm-up over 4 steps per epoch: 1/2, then full
        KdWarmup half = new KdWarmup(0.5, 4);
        assertEquals(0.5, half.weight(0), 0);
        assertEquals(1.0, half.weight(1), 0);
        assertEquals(1.0, KdWarmup.OFF.weight(0), 0);
        assertThrows(IllegalArgumentException.class, () -> new KdWarmup(-1, 4));
    }

    @Test
    void theRampScalesTheDistillationTermOnly() {
        int batch = 6;
        int features = 5;
        int classes = 4;
        double alpha = 0.6;
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            TorchEngine.setRandomSeed(11);
            SequentialBlock b =
                    new SequentialBlock().add(Linear.builder().setUnits(classes).build());
            b.initialize(m, DataType.FLOAT32, new Shape(1, features));
            DjlBlockModel model = new DjlBlockModel(b, "linear");
            Random r = new Random(5);
            float[] xs = new float[batch * features];
            float[] ts = new float[batch * classes];
            long[] ys = new long[batch];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < ts.length; i++) {
                ts[i] = (float) (2 * r.nextGaussian());
            }
            for (int i = 0; i < batch; i++) {
                ys[i] = r.nextInt(classes);
            }
            NDArray x = m.create(xs, new Shape(batch, features));
            NDArray y = m.create(ys, new Shape(batch));
            NDArray teacher = m.create(ts, new Shape(batch, classes));
            // lr 0: every call sees the same weights
            TargetTraining t =
                    new TargetTraining(model, new SgdMomentum(m, 0, 0), alpha, KdLoss.defaults(KdLoss.Kind.DKD));
            double none = t.step(x, y, teacher, false, 0, m, () -> {}, 0).loss();
            double full = t.step(x, y, teacher, false, 0, m, () -> {}, 1).loss();
            double quarter = t.step(x, y, teacher, false, 0, m, () -> {}, 0.25).loss();
            assertEquals(t.step(x, y, teacher, false, 0, m, () -> {}).loss(), full, 0, "no ramp = weight 1");

            float[] s = model.forward(x, false).toFloatArray();
            double ce = 0;
            for (int i = 0; i < batch; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, s[i * classes + c]);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(s[i * classes + c] - max);
                }
                ce -= s[i * classes + (int) ys[i]] - max - Math.log(sum);
            }
            ce /= batch;
            assertEquals((1 - alpha) * ce, none, 1e-5, "weight 0: (1 - alpha) CE");
            assertEquals(none + 0.25 * (full - none), quarter, 1e-5, "weight 1/4: a quarter of the KD term");
        }
    }
}
