package dev.mergenet.transfer.train;

/** What the run does with the source: nothing, distil its logits, MergeNet, or MergeNet with a random source. */
public enum Mode {
    ALONE, KD, MERGENET, RANDOM_SOURCE;

    public static Mode parse(String s) {
        return switch (s.toLowerCase()) {
            case "alone" -> ALONE;
            case "kd" -> KD;
            case "mergenet" -> MERGENET;
            case "random-source" -> RANDOM_SOURCE;
            default -> throw new IllegalArgumentException("--mode " + s + ": expected alone, kd, mergenet or random-source");
        };
    }

    public String cliName() {
        return name().toLowerCase().replace('_', '-');
    }

    public boolean usesAdapter() {
        return this == MERGENET || this == RANDOM_SOURCE;
    }
}
