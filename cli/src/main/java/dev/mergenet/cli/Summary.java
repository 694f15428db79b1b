package dev.mergenet.cli;

import com.google.gson.JsonObject;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.report.RunReport;

/** The few lines `train` and `transfer` print at the end. */
final class Summary {
    private Summary() {}

    static void print(TransferJob.Result r) {
        JsonObject s = RunReport.summary(r.history());
        System.out.printf(
                "final: val %s, test %s; best val epoch %d (test there %s)%n",
                pct(s, "finalValAccuracy"),
                pct(s, "finalTestAccuracy"),
                s.get("bestValEpoch").getAsInt(),
                pct(s, "testAccuracyAtBestVal"));
        System.out.printf(
                "time per epoch: %.1fs (target %.1fs, source %.1fs, adapter %.1fs = %s of the epoch)%n",
                num(s, "secondsPerEpoch"),
                num(s, "secondsTargetPerEpoch"),
                num(s, "secondsSourcePerEpoch"),
                num(s, "secondsAdapterPerEpoch"),
                pct(s, "adapterShareOfEpoch"));
        if (r.model() != null) {
            System.out.printf(
                    "wrote %s (weights of epoch %d: val %.2f%%, test %.2f%%)%n",
                    r.model(), r.keptEpoch(), 100 * r.keptValAccuracy(), 100 * r.keptTestAccuracy());
        }
    }

    private static String pct(JsonObject s, String k) {
        return s.get(k) == null || s.get(k).isJsonNull()
                ? "n/a"
                : String.format("%.2f%%", 100 * s.get(k).getAsDouble());
    }

    private static double num(JsonObject s, String k) {
        return s.get(k) == null || s.get(k).isJsonNull() ? Double.NaN : s.get(k).getAsDouble();
    }
}
