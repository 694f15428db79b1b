package dev.mergenet.transfer.adapter;

/**
 * How the adapter's output becomes the target's weight. RELEASED: W' = φ(T, S), as the released code (every injection
 * replaces the layer by a non-identity map). GATED (a labelled deviation): W' = T + g ⊙ (s·φ(T, S) − T) with one gate
 * per output row, g = 0 at the start (W' = T exactly), s = ‖T‖/‖φ‖ without gradient, g trained on the loss part of
 * the target's update only.
 */
public enum AdapterOutput {
    RELEASED,
    GATED;

    public static AdapterOutput parse(String s) {
        return switch (s.toLowerCase()) {
            case "released" -> RELEASED;
            case "gated" -> GATED;
            default -> throw new IllegalArgumentException("--adapter-output " + s + ": expected released or gated");
        };
    }

    public String cliName() {
        return name().toLowerCase();
    }
}
