package dev.mergenet.cli;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.mergenet.core.engine.TorchEngine;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** `mergenet doctor`: the versions and devices this build runs with, one `name: value` line each. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Print the Java, DJL, libtorch and ONNX Runtime versions, the libtorch flavor, the CUDA devices "
                    + "DJL sees and ONNX Runtime's execution providers.",
            "Exits 0 when both engines load, 1 (with the reason on that line) when one does not."
        })
final class DoctorCommand implements Callable<Integer> {
    // DJL names the libtorch folder VERSION[-BUILDDATE]-FLAVOR-OS-ARCH, e.g. 2.7.1-20250812-cpu-linux-x86_64
    private static final Pattern FLAVOR = Pattern.compile("-(cpu|cu\\d+)(-precxx11)?-[a-z]+-[a-z0-9_]+$");

    @Override
    public Integer call() {
        boolean ok = true;
        line(
                "java",
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                        + System.getProperty("java.home") + ")");
        line("djl", Engine.getDjlVersion());
        try {
            Engine torch = TorchEngine.engine();
            String path = TorchEngine.libtorchPath();
            line("libtorch", torch.getVersion());
            line("libtorch flavor", flavor(path));
            line("libtorch path", path);
            line("cuda devices (djl)", String.valueOf(torch.getGpuCount()));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            line("libtorch", "failed to load: " + e.getMessage());
            ok = false;
        }
        try {
            line("onnxruntime", OrtEnvironment.getEnvironment().getVersion());
            EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
            line(
                    "onnxruntime providers",
                    providers.stream().map(OrtProvider::name).collect(Collectors.joining(", ")));
            if (providers.contains(OrtProvider.CUDA)) {
                line("onnxruntime cuda", cudaProviderStatus());
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            line("onnxruntime", "failed to load: " + e.getMessage());
            ok = false;
        }
        return ok ? 0 : 1;
    }

    /** Whether the CUDA provider's libraries load: the GPU jar lists CUDA even where CUDA 12 or cuDNN is missing. */
    private static String cudaProviderStatus() {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addCUDA(0);
            return "loads";
        } catch (OrtException e) {
            return "does not load: " + e.getMessage();
        }
    }

    /** The flavor part of DJL's libtorch folder name ("cpu", "cu124"), or "unknown" for a custom folder. */
    static String flavor(String libtorchPath) {
        Matcher m = FLAVOR.matcher(Path.of(libtorchPath).getFileName().toString());
        return m.find() ? m.group(1) + (m.group(2) == null ? "" : m.group(2)) : "unknown";
    }

    private static void line(String name, String value) {
        System.out.printf("%-22s %s%n", name + ":", value);
    }
}
