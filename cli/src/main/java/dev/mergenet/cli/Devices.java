package dev.mergenet.cli;

import ai.djl.Device;
import dev.mergenet.core.engine.TorchEngine;

/** The one place the CLI turns a --device flag into a DJL device. */
final class Devices {
    private Devices() {}

    /** "cpu", "gpu", "gpu:N", or "auto" (a GPU when DJL sees one). */
    static Device parse(String spec) {
        String s = spec.trim().toLowerCase();
        if (s.equals("auto")) {
            return TorchEngine.gpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.startsWith("gpu:")) {
            int id = s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4));
            int count = TorchEngine.gpuCount();
            if (id >= count) {
                throw new IllegalArgumentException("--device " + spec + ": DJL sees " + count + " GPU(s)");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("--device " + spec + ": expected cpu, gpu, gpu:N or auto");
    }
}
