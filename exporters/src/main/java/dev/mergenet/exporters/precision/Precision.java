package dev.mergenet.exporters.precision;

import java.util.Locale;

/** How float weights are stored in an exported file. */
public enum Precision {
    FP32,
    FP16;

    public static Precision parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("precision '" + s + "' is not one of fp32, fp16");
        }
    }
}
