package dev.mergenet.cli;

import dev.mergenet.transfer.train.RunConfig;
import picocli.CommandLine.Option;

/** When transfers happen and how W' is generated (design questions 9 and 12), shared by transfer and experiment. */
final class TransferScheduleOptions {
    @Option(names = "--transfer-until", defaultValue = "1", paramLabel = "FRACTION",
            description = "Transfer during this fraction of the steps, then train the target alone (default ${DEFAULT-VALUE}: "
                    + "to the end, as the released code).")
    double transferUntil;

    @Option(names = "--generation", defaultValue = "train", paramLabel = "MODE",
            description = "train: generate W' with adapter dropout, as the released code; eval: deterministic (default ${DEFAULT-VALUE}).")
    String generation;

    RunConfig apply(RunConfig cfg) {
        boolean eval = switch (generation) {
            case "train" -> false;
            case "eval" -> true;
            default -> throw new IllegalArgumentException("--generation " + generation + ": expected train or eval");
        };
        return cfg.withTransferSchedule(transferUntil, eval);
    }
}
