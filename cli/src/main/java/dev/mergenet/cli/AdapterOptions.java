package dev.mergenet.cli;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Generation;
import dev.mergenet.transfer.config.RunConfig;
import picocli.CommandLine.Option;

/** The adapter's settings shared by transfer and experiment: how often, how fast, from what, until when. */
final class AdapterOptions {
    @Option(
            names = "--cycle",
            defaultValue = Defaults.CYCLE_TEXT,
            description = "Transfer every F steps (T_cycle); 0 disables (default ${DEFAULT-VALUE}).")
    int cycle;

    @Option(
            names = "--adapter-lr",
            defaultValue = Defaults.ADAPTER_LR_TEXT,
            description = "Adapter AdamW learning rate (default ${DEFAULT-VALUE}).")
    double adapterLr;

    @Option(
            names = "--rank",
            defaultValue = Defaults.RANK_TEXT,
            description = "0: full source matrix; R: its rank-R SVD factor (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(
            names = "--transfer-until",
            defaultValue = Defaults.TRANSFER_UNTIL_TEXT,
            paramLabel = "FRACTION",
            description =
                    "Transfer during this fraction of the steps, then train the target alone (default ${DEFAULT-VALUE}: "
                            + "to the end, as the released code).")
    double transferUntil;

    @Option(
            names = "--compact-until",
            defaultValue = Defaults.COMPACT_UNTIL_TEXT,
            paramLabel = "FRACTION",
            description =
                    "--init compactors: generate the target's kernels during this fraction of the steps (compactors"
                            + " at --adapter-lr), then merge them and train them as the target's own (default ${DEFAULT-VALUE}).")
    double compactUntil;

    @Option(
            names = "--generation",
            defaultValue = Defaults.GENERATION_TEXT,
            paramLabel = "MODE",
            description =
                    "train: generate W' with adapter dropout, as the released code; eval: deterministic (default ${DEFAULT-VALUE}).")
    String generation;

    @Option(
            names = "--adapter-output",
            defaultValue = Defaults.ADAPTER_OUTPUT_TEXT,
            paramLabel = "released|gated",
            description =
                    "released: W' = adapter output, as the released code; gated: W' = T + g*(s*phi - T) with "
                            + "per-row gates starting at 0, a labelled deviation that starts as training alone (default ${DEFAULT-VALUE}).")
    String adapterOutput;

    @Option(
            names = "--gate-lr",
            defaultValue = Defaults.GATE_LR_TEXT,
            description = "AdamW learning rate of the gates of --adapter-output gated (default ${DEFAULT-VALUE}).")
    double gateLr;

    @Option(
            names = "--max-adapter-ratio",
            defaultValue = Defaults.MAX_ADAPTER_RATIO_TEXT,
            paramLabel = "R",
            description =
                    "Cap the adapter's attention widths so it has at most R x the target's parameters (or 262,144, "
                            + "whichever is larger); 0 keeps the released widths (default ${DEFAULT-VALUE}).")
    double maxAdapterRatio;

    /** These options, the adapter's shape and whether the source is frozen, applied to {@code cfg}. */
    RunConfig apply(RunConfig cfg, AdapterConfig adapter, boolean frozenSource) {
        Generation gen = Generation.parse(generation);
        AdapterOutput output = AdapterOutput.parse(adapterOutput);
        return cfg.toBuilder()
                .frozenSource(frozenSource)
                .adapter(a -> a.config(adapter)
                        .cycle(cycle)
                        .lr(adapterLr)
                        .rank(rank)
                        .transferUntil(transferUntil)
                        .generation(gen)
                        .output(output)
                        .gateLr(gateLr)
                        .maxAdapterRatio(maxAdapterRatio)
                        .compactUntil(compactUntil))
                .build();
    }
}
