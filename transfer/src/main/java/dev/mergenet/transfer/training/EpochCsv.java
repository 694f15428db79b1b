package dev.mergenet.transfer.training;

import dev.mergenet.core.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;

/** The per-epoch log as CSV (one row per epoch, empty cells for what a run did not measure), for spreadsheets. */
public final class EpochCsv {
    private static final String HEADER = "epoch,target_lr,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,"
            + "best_so_far,source_train_loss,source_train_acc,source_val_loss,source_val_acc,adapter_updates,"
            + "adapter_grad_norm,adapter_delta_norm,injection_jump,adapter_lr,gate_mean,seconds_target,seconds_source,"
            + "seconds_adapter,seconds_eval,seconds_total";

    private EpochCsv() {}

    /** run.json -> run.csv (any other name: NAME.csv beside it). */
    public static Path besideReport(Path report) {
        String name = report.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return report.resolveSibling(stem + ".csv");
    }

    public static void write(Path file, List<EpochRecord> history) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (EpochRecord r : history) {
            Object[] cells = {
                r.epoch + 1,
                r.targetLr,
                r.targetTrainLoss,
                r.targetTrainAccuracy,
                r.targetValLoss,
                r.targetValAccuracy,
                r.targetTestLoss,
                r.targetTestAccuracy,
                r.bestSoFar,
                r.sourceTrainLoss,
                r.sourceTrainAccuracy,
                r.sourceValLoss,
                r.sourceValAccuracy,
                r.adapterUpdates,
                r.adapterGradNorm,
                r.adapterDeltaNorm,
                r.injectionRelativeJump,
                r.adapterLr,
                r.gateMean,
                r.secondsTarget,
                r.secondsSource,
                r.secondsAdapter,
                r.secondsEval,
                r.secondsTotal
            };
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object c = cells[i];
                if (!(c instanceof Double d && !Double.isFinite(d))) {
                    sb.append(c);
                }
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
