package dev.mergenet.transfer.training;

import java.io.PrintStream;

/**
 * One self-overwriting line per epoch: bar, step, running loss and accuracy, samples per second, elapsed time of the
 * run and its ETA (from the steps this process has run so far, so a resumed run estimates from its own speed).
 */
final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final String label;
    private final int total;
    private final long epochStart = System.nanoTime();
    private final long runStart;
    private final long stepsAtStart;
    private final long totalSteps;
    private long lastPrint;
    private final boolean console = System.console() != null;
    private int lastQuarter;

    ProgressBar(PrintStream out, String label, int total, long runStart, long stepsAtStart, long totalSteps) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.runStart = runStart;
        this.stepsAtStart = stepsAtStart;
        this.totalSteps = totalSteps;
    }

    void update(int done, long globalStep, double loss, double accuracy, long samples) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        double rate = samples / Math.max((now - epochStart) / 1e9, 1e-9);
        if (!console) {
            // logs to a file or pipe: a plain line at each quarter of the epoch instead of carriage returns
            int quarter = (int) (4L * done / Math.max(total, 1));
            if (quarter == lastQuarter || done == total) {
                return;
            }
            lastQuarter = quarter;
            out.printf(
                    "%s %d/%d loss %.4f acc %.2f%% %.0f samples/s %s%n",
                    label, done, total, loss, 100 * accuracy, rate, times(now, globalStep));
            return;
        }
        if (done < total && now - lastPrint < 500_000_000L) {
            return;
        }
        lastPrint = now;
        int filled = (int) ((long) WIDTH * done / Math.max(total, 1));
        out.printf(
                "\r%s [%s%s] %d/%d loss %.4f acc %.2f%% %.0f samples/s %s",
                label,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                done,
                total,
                loss,
                100 * accuracy,
                rate,
                times(now, globalStep));
        out.flush();
    }

    /** "elapsed 1:23, ETA 4:56" for the whole run. */
    private String times(long now, long globalStep) {
        double elapsed = (now - runStart) / 1e9;
        long ran = globalStep - stepsAtStart;
        double eta = ran > 0 ? elapsed / ran * Math.max(totalSteps - globalStep, 0) : Double.NaN;
        return "elapsed " + clock(elapsed) + ", ETA " + (Double.isNaN(eta) ? "?" : clock(eta));
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
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
