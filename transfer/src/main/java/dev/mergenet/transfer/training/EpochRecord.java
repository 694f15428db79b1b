package dev.mergenet.transfer.training;

/** One epoch's measurements (serialised as-is into the JSON report and the checkpoint). NaN: not measured. */
public final class EpochRecord {
    public int epoch;
    public double targetLr;
    public double targetTrainLoss;
    public double targetTrainAccuracy;
    public double targetValLoss = Double.NaN;
    public double targetValAccuracy = Double.NaN;
    public double targetTestLoss = Double.NaN;
    public double targetTestAccuracy = Double.NaN;
    public double sourceTrainLoss = Double.NaN;
    public double sourceTrainAccuracy = Double.NaN;
    public double sourceValLoss = Double.NaN;
    public double sourceValAccuracy = Double.NaN;
    /** Adapter updates this epoch, the mean global norm of their gradients before clipping, and of δ = W' − W_after. */
    public int adapterUpdates;

    public double adapterGradNorm = Double.NaN;
    public double adapterDeltaNorm = Double.NaN;
    /** Mean ‖W' − T‖ / ‖T‖ at injections: how far each injection moves the target matrix. */
    public double injectionRelativeJump = Double.NaN;

    public double adapterLr = Double.NaN;
    /** Mean gate value of the gated adapter output at the end of the epoch (NaN: released output). */
    public double gateMean = Double.NaN;
    /** This epoch had the best validation accuracy so far (its weights are the ones --keep best exports). */
    public boolean bestSoFar;

    public double secondsTarget;
    public double secondsSource;
    public double secondsAdapter;
    public double secondsEval;
    public double secondsTotal;
}
