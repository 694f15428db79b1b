package dev.mergenet.transfer.train;

import java.io.PrintStream;

/** One self-overwriting line per epoch: bar, step, running loss and accuracy, samples per second. */
final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private long lastPrint;
    private final boolean console = System.console() != null;
    private int lastQuarter;

    ProgressBar(PrintStream out, String label, int total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    void update(int done, double loss, double accuracy, long samples) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (!console) {
            // logs to a file or pipe: a plain line at each quarter of the epoch instead of carriage returns
            int quarter = (int) (4L * done / Math.max(total, 1));
            if (quarter == lastQuarter || done == total) {
                return;
            }
            lastQuarter = quarter;
            out.printf("%s %d/%d loss %.4f acc %.2f%% %.0f samples/s%n", label, done, total, loss, 100 * accuracy,
                    samples / Math.max((now - start) / 1e9, 1e-9));
            return;
        }
        if (done < total && now - lastPrint < 500_000_000L) {
            return;
        }
        lastPrint = now;
        int filled = (int) ((long) WIDTH * done / Math.max(total, 1));
        double seconds = (now - start) / 1e9;
        out.printf("\r%s [%s%s] %d/%d loss %.4f acc %.2f%% %.0f samples/s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, loss, 100 * accuracy, samples / Math.max(seconds, 1e-9));
        out.flush();
    }

    void finish(String summary) {
        if (out != null) {
            if (console) {
                out.println();
            }
            out.println(summary);
        }
    }
}
