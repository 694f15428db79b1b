package dev.mergenet.transfer.training;

import java.util.Locale;
import java.util.Optional;

/**
 * Failure that must not look like success: after each epoch, a validation accuracy within sampling noise of
 * chance, or a training accuracy that validation does not follow beyond what overfitting explains, is a warning
 * naming the likely causes.
 */
public final class TrainingHealth {
    /** Standard errors of a binomial proportion within which an accuracy counts as chance (about 99.7%). */
    static final double NOISE_SIGMAS = 3;
    /** Training accuracy ahead of validation by more than this (30 pp)... */
    static final double GAP = 0.30;
    /** ...while validation kept less than this share of training's gain over chance: not overfitting. */
    static final double KEPT_SHARE = 0.5;

    public static final String CAUSES = "likely causes: normalization an export folded away (inspect warns; "
            + "--restore-norm), BatchNorm running statistics lagging the weights (small momentum; --precise-bn), "
            + "input preprocessing unlike the model's (--resize, --channels, --mean, --std), or the learning rate "
            + "(--lr)";

    private TrainingHealth() {}

    /** Chance accuracy of a classifier over {@code classes} classes (balanced). */
    public static double chance(int classes) {
        return 1.0 / Math.max(1, classes);
    }

    /** Whether {@code accuracy} on {@code samples} samples is within noise of guessing among {@code classes}. */
    public static boolean atChance(double accuracy, int samples, int classes) {
        double p = chance(classes);
        double noise = NOISE_SIGMAS * Math.sqrt(p * (1 - p) / Math.max(1, samples));
        return Double.isFinite(accuracy) && accuracy <= p + noise;
    }

    /** The warning after an epoch (1-based), if any. {@code trainAccuracy} is the epoch's, in training mode. */
    public static Optional<String> afterEpoch(
            int epoch, double trainAccuracy, double valAccuracy, int valSamples, int classes) {
        return afterEpoch(epoch, trainAccuracy, valAccuracy, valSamples, classes, "validation");
    }

    /** The same, for accuracy measured on {@code set} ("validation", or "test" when there is no validation set). */
    public static Optional<String> afterEpoch(
            int epoch, double trainAccuracy, double valAccuracy, int valSamples, int classes, String set) {
        if (!Double.isFinite(valAccuracy) || valSamples <= 0) {
            return Optional.empty();
        }
        double p = chance(classes);
        boolean chance = atChance(valAccuracy, valSamples, classes);
        boolean diverged = Double.isFinite(trainAccuracy)
                && trainAccuracy - valAccuracy > GAP
                && valAccuracy - p < KEPT_SHARE * (trainAccuracy - p);
        if (diverged) {
            return Optional.of(String.format(
                    Locale.ROOT,
                    "warning: epoch %d: training accuracy %.2f%% but "
                            + "%s %.2f%%%s: more apart than overfitting explains; %s",
                    epoch,
                    100 * trainAccuracy,
                    set,
                    100 * valAccuracy,
                    chance ? " (chance level)" : "",
                    CAUSES));
        }
        if (chance) {
            return Optional.of(String.format(
                    Locale.ROOT,
                    "warning: epoch %d: %s accuracy %.2f%% is within "
                            + "noise of chance (%.2f%% for %d classes, %d samples); %s",
                    epoch,
                    set,
                    100 * valAccuracy,
                    100 * p,
                    classes,
                    valSamples,
                    CAUSES));
        }
        return Optional.empty();
    }
}
