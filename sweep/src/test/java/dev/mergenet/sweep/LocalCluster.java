package dev.mergenet.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** scripts/spark-local-cluster.sh for a test: started with the test's classpath, stopped by the pids it recorded. */
final class LocalCluster implements AutoCloseable {
    final Path state;
    final String url;
    final List<Long> pids;

    private LocalCluster(Path state, String url, List<Long> pids) {
        this.state = state;
        this.url = url;
        this.pids = pids;
    }

    static Path script() {
        return Path.of(System.getProperty("mergenet.root", "..")).resolve("scripts/spark-local-cluster.sh");
    }

    static LocalCluster start(Path state, int cores) throws IOException, InterruptedException {
        String out = run(state, "start", Integer.toString(cores), "3g");
        String[] lines = out.strip().split("\n");
        String url = lines[lines.length - 1].strip();
        List<Long> pids = List.of(
                Long.parseLong(Files.readString(state.resolve("master.pid")).strip()),
                Long.parseLong(Files.readString(state.resolve("worker.pid")).strip()));
        return new LocalCluster(state, url, pids);
    }

    private static String run(Path state, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add("bash");
        pb.command().add(script().toString());
        pb.command().addAll(List.of(args));
        pb.environment().put("MERGENET_SPARK_STATE", state.toString());
        pb.environment().put("MERGENET_SPARK_CLASSPATH", System.getProperty("java.class.path"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("spark-local-cluster.sh " + args[0] + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(state, "stop");
    }
}
