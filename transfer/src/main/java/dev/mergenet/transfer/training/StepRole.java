package dev.mergenet.transfer.training;

/**
 * Which part of a step a participant's work is: its share of the epoch's time, and the salt of the engine seed it
 * draws its dropout masks from (so a mask depends only on seed, step and role, never on what ran before).
 */
public enum StepRole {
    ADAPTER(1),
    SOURCE(2),
    TARGET(3);

    private final int salt;

    StepRole(int salt) {
        this.salt = salt;
    }

    /** The role's term in the engine seed of a step. */
    long salt() {
        return salt;
    }
}
