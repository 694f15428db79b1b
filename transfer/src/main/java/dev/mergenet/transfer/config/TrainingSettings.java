package dev.mergenet.transfer.config;

/**
 * How the target (and a co-trained source, trained identically: design note 4.6 in docs/mergenet.md) is
 * optimised.
 *
 * @param evalBatchSize batch size of evaluation and of a frozen teacher's scores
 */
public record TrainingSettings(
        int epochs,
        int batchSize,
        OptimizerKind optimizer,
        double lr,
        double momentum,
        double weightDecay,
        Schedule schedule,
        long seed,
        int evalBatchSize) {
    public TrainingSettings {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1");
        }
        if (evalBatchSize < 1) {
            throw new IllegalArgumentException("the evaluation batch size must be at least 1");
        }
        if (optimizer == null || schedule == null) {
            throw new IllegalArgumentException("an optimizer and a schedule are required");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(optimizer)
                .lr(lr)
                .momentum(momentum)
                .weightDecay(weightDecay)
                .schedule(schedule)
                .seed(seed)
                .evalBatchSize(evalBatchSize);
    }

    /** Starts from {@link Defaults}; {@link #build()} validates. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = Defaults.BATCH_SIZE;
        private OptimizerKind optimizer = Defaults.OPTIMIZER;
        private double lr = Defaults.LR;
        private double momentum = Defaults.MOMENTUM;
        private double weightDecay = Defaults.WEIGHT_DECAY;
        private Schedule schedule = Defaults.SCHEDULE;
        private long seed = Defaults.SEED;
        private int evalBatchSize = Defaults.EVAL_BATCH_SIZE;

        private Builder() {}

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder optimizer(OptimizerKind v) {
            optimizer = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder schedule(Schedule v) {
            schedule = v;
            return this;
        }

        /** Seed of the data order, dropout masks and adapter initialisation. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder evalBatchSize(int v) {
            evalBatchSize = v;
            return this;
        }

        public TrainingSettings build() {
            return new TrainingSettings(
                    epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, evalBatchSize);
        }
    }
}
