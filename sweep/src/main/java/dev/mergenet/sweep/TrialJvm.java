package dev.mergenet.sweep;

import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a task in local mode starts a trial's own JVM: this JVM's java, classpath and flags (Spark's Java 17 opens,
 * DJL offline, any -D), a heap of its own, the allocator settings through the inherited environment. DJL's PyTorch
 * engine trains one model at a time per JVM, so trials side by side need JVMs of their own.
 *
 * @param java      the java executable
 * @param classPath the classpath (the driver's)
 * @param flags     the JVM flags passed on
 * @param heap      -Xmx of the trial's JVM, e.g. 4g
 */
public record TrialJvm(String java, String classPath, List<String> flags, String heap) implements Serializable {
    private static final long serialVersionUID = 1L;

    public TrialJvm {
        flags = List.copyOf(flags);
    }

    /** A trial JVM like this one, with {@code heap} (Spark's size syntax: 4g, 4096m, 4gb). */
    public static TrialJvm likeThisJvm(String heap) {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // module access, system properties and native access; not the heap, agents or debug ports
            if (a.startsWith("--add-opens")
                    || a.startsWith("--add-exports")
                    || a.startsWith("--enable-native-access")
                    || a.startsWith("-D")) {
                flags.add(a);
            }
        }
        return new TrialJvm(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"),
                flags,
                heap.toLowerCase().replaceFirst("b$", ""));
    }

    /**
     * Starts the trial's JVM ({@link TrialJvmMain}) on the spec in {@code spec}; its output is appended to
     * {@code log}. Its standard input stays open: it ends the trial when this JVM dies (no orphan keeps training).
     */
    Process start(Path spec, int attempt, String device, int threads, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx" + heap);
        cmd.addAll(flags);
        cmd.addAll(List.of(
                "-cp",
                classPath,
                TrialJvmMain.class.getName(),
                spec.toString(),
                Integer.toString(attempt),
                device,
                Integer.toString(threads)));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // OpenMP's pools start with the trial's share of the cores, as libtorch's intra-op threads are set
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        return pb.start();
    }
}
