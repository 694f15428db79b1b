package dev.mergenet.transfer.training;

/** Running sums of one model's step results over an epoch. */
final class Totals {
    double loss;
    long correct;
    long count;

    void add(StepResult r) {
        loss += r.loss() * r.count();
        correct += r.correct();
        count += r.count();
    }

    double meanLoss() {
        return loss / count;
    }

    double accuracy() {
        return (double) correct / count;
    }
}
