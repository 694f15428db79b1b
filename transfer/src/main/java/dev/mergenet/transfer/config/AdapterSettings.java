package dev.mergenet.transfer.config;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.AdapterOutput;

/**
 * MergeNet's adapter: its shape, its own AdamW settings, and when and how it transfers.
 *
 * @param cycle           transfer every {@code cycle} steps (T_cycle); 0 disables transfer
 * @param warm            fraction of adapter updates at constant learning rate before the cosine decay
 * @param rank            0: full source matrix; r > 0: the source's rank-r SVD factor √Σ·Vᵀ [r × q]
 * @param transferUntil   fraction of the training steps during which transfers happen (1: all, as the released
 *                        code; less leaves a transfer-free final phase, design question 9)
 * @param output          released (W' = φ) or gated (W' = T + g⊙(s·φ − T), a deviation; see {@link AdapterOutput})
 * @param gateLr          AdamW learning rate of the gates (gated output only)
 * @param maxAdapterRatio adapter parameters allowed per target parameter before head widths are capped (0: no cap)
 * @param compactUntil    fraction of the training steps during which `--init compactors` generates the target's
 *                        kernels (at {@code lr}), after which they are merged and train as the target's own
 */
public record AdapterSettings(
        AdapterConfig config,
        int cycle,
        double lr,
        double weightDecay,
        double clip,
        double warm,
        int rank,
        double transferUntil,
        Generation generation,
        AdapterOutput output,
        double gateLr,
        double maxAdapterRatio,
        double compactUntil) {
    public AdapterSettings {
        if (!(compactUntil > 0 && compactUntil <= 1)) {
            throw new IllegalArgumentException("--compact-until " + compactUntil + ": expected a fraction in (0, 1]");
        }
        if (cycle < 0 || rank < 0) {
            throw new IllegalArgumentException("--cycle and --rank must not be negative");
        }
        if (!(transferUntil > 0 && transferUntil <= 1)) {
            throw new IllegalArgumentException("--transfer-until " + transferUntil + ": expected a fraction in (0, 1]");
        }
        if (maxAdapterRatio < 0) {
            throw new IllegalArgumentException("--max-adapter-ratio must not be negative");
        }
        if (config == null || generation == null || output == null) {
            throw new IllegalArgumentException("the adapter's shape, generation and output are required");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .config(config)
                .cycle(cycle)
                .lr(lr)
                .weightDecay(weightDecay)
                .clip(clip)
                .warm(warm)
                .rank(rank)
                .transferUntil(transferUntil)
                .generation(generation)
                .output(output)
                .gateLr(gateLr)
                .maxAdapterRatio(maxAdapterRatio)
                .compactUntil(compactUntil);
    }

    /** Starts from {@link Defaults}; {@link #build()} validates. */
    public static final class Builder {
        private AdapterConfig config = AdapterConfig.DEFAULT;
        private int cycle = Defaults.CYCLE;
        private double lr = Defaults.ADAPTER_LR;
        private double weightDecay = Defaults.ADAPTER_WEIGHT_DECAY;
        private double clip = Defaults.ADAPTER_CLIP;
        private double warm = Defaults.ADAPTER_WARM;
        private int rank = Defaults.RANK;
        private double transferUntil = Defaults.TRANSFER_UNTIL;
        private Generation generation = Defaults.GENERATION;
        private AdapterOutput output = Defaults.ADAPTER_OUTPUT;
        private double gateLr = Defaults.GATE_LR;
        private double maxAdapterRatio = Defaults.MAX_ADAPTER_RATIO;
        private double compactUntil = Defaults.COMPACT_UNTIL;

        private Builder() {}

        /** Heads, layers, dropouts of the adapter's knowledge-transfer layers. */
        public Builder config(AdapterConfig v) {
            config = v;
            return this;
        }

        public Builder cycle(int v) {
            cycle = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder clip(double v) {
            clip = v;
            return this;
        }

        public Builder warm(double v) {
            warm = v;
            return this;
        }

        public Builder rank(int v) {
            rank = v;
            return this;
        }

        public Builder transferUntil(double v) {
            transferUntil = v;
            return this;
        }

        public Builder generation(Generation v) {
            generation = v;
            return this;
        }

        public Builder output(AdapterOutput v) {
            output = v;
            return this;
        }

        public Builder gateLr(double v) {
            gateLr = v;
            return this;
        }

        public Builder maxAdapterRatio(double v) {
            maxAdapterRatio = v;
            return this;
        }

        public Builder compactUntil(double v) {
            compactUntil = v;
            return this;
        }

        public AdapterSettings build() {
            return new AdapterSettings(
                    config,
                    cycle,
                    lr,
                    weightDecay,
                    clip,
                    warm,
                    rank,
                    transferUntil,
                    generation,
                    output,
                    gateLr,
                    maxAdapterRatio,
                    compactUntil);
        }
    }
}
