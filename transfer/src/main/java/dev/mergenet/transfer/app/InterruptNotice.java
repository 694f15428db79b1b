package dev.mergenet.transfer.app;

import dev.mergenet.transfer.training.TransferRun;
import java.io.PrintStream;

/**
 * While a run trains, Ctrl-C (SIGINT) or SIGTERM prints what was saved and the exact command that resumes it. The
 * checkpoint itself is written atomically after every epoch, so an interrupt never leaves a partial one.
 */
final class InterruptNotice implements AutoCloseable {
    private final Thread hook;

    InterruptNotice(TransferRun run, TransferJob.Request req, PrintStream log) {
        this.hook = new Thread(
                () -> {
                    PrintStream out = log != null ? log : System.err;
                    if (run.lastGoodCheckpoint() == null) {
                        out.println("\ninterrupted during epoch " + (run.epochsDone() + 1) + "; nothing was saved"
                                + (req.config().control().checkpoint() == null
                                        ? " (no --out or --checkpoint)"
                                        : " yet (no epoch completed)"));
                    } else {
                        String cmd = req.commandLine() == null ? "the same command" : req.commandLine();
                        out.println("\ninterrupted during epoch " + (run.epochsDone() + 1)
                                + "; the checkpoint after epoch "
                                + run.checkpointEpoch() + " is " + run.lastGoodCheckpoint() + "\nresume with: " + cmd
                                + (cmd.contains("--resume") ? "" : " --resume"));
                    }
                    out.flush();
                },
                "mergenet-interrupt-notice");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs
        }
    }
}
