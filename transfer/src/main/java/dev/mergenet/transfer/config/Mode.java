package dev.mergenet.transfer.config;

/**
 * What a run composes with the target's own training: distillation from the source's scores, MergeNet transfer from
 * the source's weights, MergeNet from a random matrix of the source's shape (the control), or both transfer and
 * distillation in one run.
 */
public enum Mode {
    ALONE(false, false, false),
    KD(true, false, false),
    MERGENET(false, true, false),
    MERGENET_KD(true, true, false),
    RANDOM_SOURCE(false, true, true),
    RANDOM_SOURCE_KD(true, true, true);

    private final boolean distils;
    private final boolean adapter;
    private final boolean randomSource;

    Mode(boolean distils, boolean adapter, boolean randomSource) {
        this.distils = distils;
        this.adapter = adapter;
        this.randomSource = randomSource;
    }

    public static Mode parse(String s) {
        for (Mode m : values()) {
            if (m.cliName().equals(s.toLowerCase())) {
                return m;
            }
        }
        throw new IllegalArgumentException("--mode " + s + ": expected one of alone, kd, mergenet, mergenet+kd, "
                + "random-source, random-source+kd");
    }

    /** alone, kd, mergenet, mergenet+kd, random-source, random-source+kd. */
    public String cliName() {
        return name().toLowerCase().replace("_kd", "+kd").replace('_', '-');
    }

    /** The target's loss includes the distillation term from the source's scores. */
    public boolean distils() {
        return distils;
    }

    /** A parameter adapter writes the target's paired weights. */
    public boolean usesAdapter() {
        return adapter;
    }

    /** The adapter reads a fixed random matrix instead of the source's weights (control A). */
    public boolean randomSource() {
        return randomSource;
    }

    /** Every mode but alone reads a source model. */
    public boolean needsSource() {
        return this != ALONE;
    }

    /**
     * Whether the source is trained alongside the target: it is, unless frozen, whenever it teaches or lends its
     * live weights to the adapter (the random-source control reads a fixed matrix instead).
     */
    public boolean coTrainsSource(boolean frozenSource) {
        return !frozenSource && (distils || (adapter && !randomSource));
    }

    /** Whether the source's forward pass runs at all (as a teacher or co-trained); else only its weights are read. */
    public boolean sourceRuns(boolean frozenSource) {
        return distils || coTrainsSource(frozenSource);
    }

    /** Whether a frozen, pretrained source teaches: distillation from a source that is not co-trained. */
    public boolean frozenTeacher(boolean frozenSource) {
        return distils && !coTrainsSource(frozenSource);
    }

    /** Whether the adapter reads a matrix fixed at the start (a frozen source's, or the random control's). */
    public boolean adapterReadsFixedMatrix(boolean frozenSource) {
        return adapter && (frozenSource || randomSource);
    }
}
