package dev.mergenet.cli;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.config.RunConfig;
import picocli.CommandLine.Option;

/** The adapter's settings shared by transfer and experiment: how often, how fast, from what, until when. */
final class AdapterOptions {
    @Option(names = "--cycle", defaultValue = "2", description = "Transfer every F steps (T_cycle); 0 disables (default ${DEFAULT-VALUE}).")
    int cycle;

    @Option(names = "--adapter-lr", defaultValue = "1e-3", description = "Adapter AdamW learning rate (default ${DEFAULT-VALUE}).")
    double adapterLr;

    @Option(names = "--rank", defaultValue = "0", description = "0: full source matrix; R: its rank-R SVD factor (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--transfer-until", defaultValue = "1", paramLabel = "FRACTION",
            description = "Transfer during this fraction of the steps, then train the target alone (default ${DEFAULT-VALUE}: "
                    + "to the end, as the released code).")
    double transferUntil;

    @Option(names = "--generation", defaultValue = "train", paramLabel = "MODE",
            description = "train: generate W' with adapter dropout, as the released code; eval: deterministic (default ${DEFAULT-VALUE}).")
    String generation;

    @Option(names = "--adapter-output", defaultValue = "released", paramLabel = "released|gated",
            description = "released: W' = adapter output, as the released code; gated: W' = T + g*(s*phi - T) with "
                    + "per-row gates starting at 0, a labelled deviation that starts as training alone (default ${DEFAULT-VALUE}).")
    String adapterOutput;

    @Option(names = "--gate-lr", defaultValue = "1e-3", description = "AdamW learning rate of the gates of --adapter-output gated (default ${DEFAULT-VALUE}).")
    double gateLr;

    @Option(names = "--max-adapter-ratio", defaultValue = "1", paramLabel = "R",
            description = "Cap the adapter's attention widths so it has at most R x the target's parameters (or 262,144, "
                    + "whichever is larger); 0 keeps the released widths (default ${DEFAULT-VALUE}).")
    double maxAdapterRatio;

    RunConfig apply(RunConfig cfg, AdapterConfig adapter, boolean frozenSource) {
        if (cycle < 0 || rank < 0) {
            throw new IllegalArgumentException("--cycle and --rank must not be negative");
        }
        boolean eval = switch (generation) {
            case "train" -> false;
            case "eval" -> true;
            default -> throw new IllegalArgumentException("--generation " + generation + ": expected train or eval");
        };
        return cfg.withCycle(cycle).withAdapter(adapter, adapterLr, rank, frozenSource)
                .withTransferSchedule(transferUntil, eval)
                .withAdapterOutput(AdapterOutput.parse(adapterOutput), gateLr)
                .withMaxAdapterRatio(maxAdapterRatio);
    }
}
