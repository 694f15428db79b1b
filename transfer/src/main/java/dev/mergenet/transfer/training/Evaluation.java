package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.model.TrainableModel;

/** Loss and accuracy of a model in eval mode over a whole set (no gradients recorded). */
public final class Evaluation {
    private Evaluation() {}

    /** {mean cross-entropy, accuracy}. */
    public static double[] evaluate(TrainableModel model, LabeledData set, int batchSize, NDManager manager) {
        int[] order = new int[set.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double loss = 0;
        long correct = 0;
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(from + batchSize, order.length);
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = set.features(scope, order, from, to);
                NDArray y = set.labels(scope, order, from, to);
                NDArray scores = model.forward(x, false);
                NDArray l = Losses.crossEntropy(Losses.logProbabilities(scores, model.outputsProbabilities()), y);
                loss += l.toType(DataType.FLOAT64, false).getDouble() * (to - from);
                correct += Losses.correct(scores, y);
            }
        }
        return new double[] {loss / set.size(), (double) correct / set.size()};
    }

    /** The largest |score| the model gives on a set in eval mode (NaN or infinite when any score is). */
    public static double maxAbsScore(TrainableModel model, LabeledData set, int batchSize, NDManager manager) {
        int[] order = new int[set.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double max = 0;
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(from + batchSize, order.length);
            try (NDManager scope = manager.newSubManager()) {
                NDArray scores = model.forward(set.features(scope, order, from, to), false);
                double m = scores.abs().max().toType(DataType.FLOAT64, false).getDouble();
                if (!(m <= max)) {
                    max = m; // NaN sticks
                }
                if (Double.isNaN(max)) {
                    return max;
                }
            }
        }
        return max;
    }
}
