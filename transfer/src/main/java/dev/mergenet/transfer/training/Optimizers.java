package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDManager;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.TrainingSettings;
import dev.mergenet.transfer.optim.AdamW;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import dev.mergenet.transfer.optim.SgdMomentum;

/** The optimizer a run's settings name, for the target and a co-trained source alike (design note 4.6). */
public final class Optimizers {
    private Optimizers() {}

    /**
     * A fresh optimizer with the run's settings.
     *
     * @param cfg     the run's settings (optimizer, momentum, weight decay)
     * @param manager where its state lives
     * @return SGD with momentum or AdamW
     */
    public static ParameterOptimizer create(RunConfig cfg, NDManager manager) {
        TrainingSettings t = cfg.training();
        return switch (t.optimizer()) {
            case SGD -> new SgdMomentum(manager, t.momentum(), t.weightDecay());
            case ADAMW -> new AdamW(manager, 0.9, 0.999, 1e-8, t.weightDecay(), n -> false);
        };
    }
}
