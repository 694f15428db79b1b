package dev.mergenet.cli;

import java.nio.file.Path;

/** --num-classes: the data check in the job enforces that the model's output covers the labels. */
final class ReHead {
    private ReHead() {}

    static void check(Integer numClasses, Path model) {
        if (numClasses != null && numClasses < 1) {
            throw new IllegalArgumentException("--num-classes must be at least 1");
        }
    }
}
