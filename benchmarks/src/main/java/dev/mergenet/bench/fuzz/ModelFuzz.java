package dev.mergenet.bench.fuzz;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.limits.LoopBudget;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.limits.WorkBudget;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The long fuzz run: N mutated models, each read, imported, run and exported in a child JVM that a watchdog
 * replaces when it hangs (past --timeout-s), dies or grows past 4 GiB resident, so a hang, a crash or a memory
 * blow-up is counted, not fatal. Children run with a 256 MiB memory budget and -Xmx2g. Prints counts
 * per outcome class; every outcome goes to OUT/outcomes.tsv, and mutants that end badly are saved under OUT.
 *
 * <pre>scripts/fuzz.sh [--files 10000] [--seed 1] [--timeout-s 60] [--out target/fuzz]</pre>
 */
public final class ModelFuzz {
    static final Path SUITES = Path.of("/usr/share/libonnx-testdata/data");
    /** A child above this resident size after a model counts that model as OVER_MEMORY and is replaced. */
    static final long RESIDENT_LIMIT = 4L << 30;

    private static final long STARTUP_SECONDS = 600;

    private ModelFuzz() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        long seed = Long.parseLong(opts.getOrDefault("--seed", "1"));
        if (opts.containsKey("--worker")) {
            worker(seed, Path.of(opts.get("--work")));
            return;
        }
        int files = Integer.parseInt(opts.getOrDefault("--files", "10000"));
        long timeout = Long.parseLong(opts.getOrDefault("--timeout-s", "60"));
        Path out = Path.of(opts.getOrDefault("--out", "target/fuzz"));
        Files.createDirectories(out);
        new ModelFuzz.Parent(seed, timeout, out).run(files, System.out);
    }

    /** The seeds every run uses, in a fixed order (node, pytorch-converted, pytorch-operator, simple, torch exports). */
    public static List<FuzzSeeds.Seed> seeds() {
        return FuzzSeeds.load(
                List.of(
                        SUITES.resolve("node"),
                        SUITES.resolve("pytorch-converted"),
                        SUITES.resolve("pytorch-operator"),
                        SUITES.resolve("simple")),
                List.of(torchModels()));
    }

    /** The repo's .cache/torch-models, from the repo root or a module folder. */
    static Path torchModels() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(".cache/torch-models");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return Path.of(".cache/torch-models");
    }

    /** The mutant for task {@code i} of run {@code seed}: seeds are taken in turn, mutations from the task's seed. */
    public static ModelMutator.Mutant mutant(List<FuzzSeeds.Seed> seeds, long seed, long i) {
        FuzzSeeds.Seed s = seeds.get((int) (i % seeds.size()));
        return ModelMutator.mutate(s.model(), seed * 1_000_003L + i);
    }

    /** Child side: reads task numbers on stdin, answers one line "R i KIND type message" each. */
    private static void worker(long seed, Path work) throws IOException {
        List<FuzzSeeds.Seed> seeds = seeds();
        PrintStream answer = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // anything a library prints must not corrupt the answers
        try (NDManager warm = TorchEngine.newManager(Device.cpu())) {
            warm.zeros(new Shape(1)); // loads the engine, so its start is not counted against the first model
        }
        answer.println("READY " + seeds.size());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            long i = Long.parseLong(line.trim());
            FuzzSeeds.Seed s = seeds.get((int) (i % seeds.size()));
            ModelMutator.Mutant m = mutant(seeds, seed, i);
            FuzzTarget.Outcome o = FuzzTarget.run(m.bytes(), work, s.inputs());
            answer.println("R " + i + " " + o.kind() + " " + o.type() + " "
                    + o.message().replace('\n', ' '));
        }
    }

    /** Parent side: feeds tasks to one child at a time, with a watchdog. */
    static final class Parent {
        private final long seed;
        private final long timeoutSeconds;
        private final Path out;
        private final Map<String, Integer> byKind = new TreeMap<>();
        private final Map<String, Integer> byClass = new TreeMap<>();
        private final List<String> bad = new ArrayList<>();
        private Process child;
        private BlockingQueue<String> lines;
        private int restarts;
        private long maxResident;
        private Writer outcomes;
        private List<FuzzSeeds.Seed> seeds;

        Parent(long seed, long timeoutSeconds, Path out) {
            this.seed = seed;
            this.timeoutSeconds = timeoutSeconds;
            this.out = out;
        }

        void run(int files, PrintStream log) throws Exception {
            try (Writer w = Files.newBufferedWriter(out.resolve("outcomes.tsv"))) {
                outcomes = w;
                runAll(files, log);
            }
        }

        private void runAll(int files, PrintStream log) throws Exception {
            long started = System.nanoTime();
            for (int i = 0; i < files; i++) {
                if (child == null) {
                    start();
                }
                child.getOutputStream().write((i + "\n").getBytes(StandardCharsets.UTF_8));
                child.getOutputStream().flush();
                String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
                FuzzTarget.Outcome o;
                if (line == null) {
                    o = new FuzzTarget.Outcome(FuzzTarget.Kind.HANG, "-", "no answer in " + timeoutSeconds + " s");
                    stop();
                } else if (line.startsWith("EOF")) {
                    o = new FuzzTarget.Outcome(
                            FuzzTarget.Kind.CRASH,
                            "-",
                            "child exited " + line.substring(3).trim());
                    stop();
                } else {
                    o = parse(line);
                    long resident = residentBytes(child.pid());
                    maxResident = Math.max(maxResident, resident);
                    if (resident > RESIDENT_LIMIT) {
                        o = new FuzzTarget.Outcome(
                                FuzzTarget.Kind.OVER_MEMORY,
                                o.kind().name(),
                                "child resident " + (resident >> 20) + " MiB after: " + o.message());
                        stop();
                    }
                }
                count(i, o);
                if ((i + 1) % 500 == 0) {
                    log.printf(
                            Locale.ROOT,
                            "%d/%d after %.0f s: %s%n",
                            i + 1,
                            files,
                            (System.nanoTime() - started) / 1e9,
                            byKind);
                }
            }
            stop();
            double seconds = (System.nanoTime() - started) / 1e9;
            log.printf(
                    Locale.ROOT,
                    "%d files in %.0f s, seed %d, child JVMs started %d, largest child resident set %d MiB%n",
                    files,
                    seconds,
                    seed,
                    restarts,
                    maxResident >> 20);
            byKind.forEach((k, v) -> log.printf(Locale.ROOT, "  %-16s %6d%n", k, v));
            log.println("by class:");
            byClass.forEach((k, v) -> log.printf(Locale.ROOT, "  %-48s %6d%n", k, v));
            if (!bad.isEmpty()) {
                log.println("not clean (mutants saved in " + out + "):");
                bad.forEach(b -> log.println("  " + b));
            }
            try (Writer w = Files.newBufferedWriter(out.resolve("summary.tsv"))) {
                for (Map.Entry<String, Integer> e : byClass.entrySet()) {
                    w.write(e.getKey() + "\t" + e.getValue() + "\n");
                }
            }
        }

        private void count(long i, FuzzTarget.Outcome o) throws IOException {
            outcomes.write(
                    i + "\t" + o.kind() + "\t" + o.type() + "\t" + o.message().replace('\t', ' ') + "\n");
            byKind.merge(o.kind().name(), 1, Integer::sum);
            byClass.merge(o.kind() + " " + o.type(), 1, Integer::sum);
            if (!o.clean()) {
                if (seeds == null) {
                    seeds = seeds();
                }
                ModelMutator.Mutant m = mutant(seeds, seed, i);
                Path file = out.resolve("mutant-" + i + ".onnx");
                Files.write(file, m.bytes());
                bad.add(i + " " + seeds.get((int) (i % seeds.size())).name() + " [" + m.description() + "]: " + o.kind()
                        + " " + o.type() + " " + o.message());
            }
        }

        /** VmRSS of a process (Linux); 0 where /proc does not have it. */
        private static long residentBytes(long pid) {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith("VmRSS:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone or not Linux
            }
            return 0;
        }

        private static FuzzTarget.Outcome parse(String line) {
            String[] p = line.split(" ", 5);
            return new FuzzTarget.Outcome(FuzzTarget.Kind.valueOf(p[2]), p[3], p.length > 4 ? p[4] : "");
        }

        private void start() throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(
                    java,
                    "-Xmx2g",
                    "-XX:+UseSerialGC",
                    "-D" + MemoryBudget.PROPERTY + "=256m",
                    "-D" + WorkBudget.PROPERTY + "=16g",
                    "-D" + LoopBudget.MAX_ITERATIONS + "=100000",
                    "-D" + LoopBudget.TIME_BUDGET + "=" + Math.max(1, timeoutSeconds / 3),
                    "-Dai.djl.offline=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    ModelFuzz.class.getName(),
                    "--worker",
                    "--seed",
                    Long.toString(seed),
                    "--work",
                    out.resolve("work").toAbsolutePath().toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.appendTo(
                            out.resolve("worker.log").toFile()));
            child = pb.start();
            lines = new LinkedBlockingQueue<>();
            Process p = child;
            BlockingQueue<String> q = lines;
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader r =
                                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String l; (l = r.readLine()) != null; ) {
                                if (l.startsWith("R ") || l.startsWith("READY")) {
                                    q.add(l);
                                }
                            }
                        } catch (IOException e) {
                            // the child is gone; reported below
                        }
                        try {
                            q.add("EOF " + p.waitFor());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "fuzz-child-reader");
            reader.setDaemon(true);
            reader.start();
            restarts++;
            // JVM start and seed loading are not a model's time: the per-model clock starts after READY
            String ready = lines.poll(STARTUP_SECONDS, TimeUnit.SECONDS);
            if (ready == null || !ready.startsWith("READY")) {
                stop();
                throw new IllegalStateException("the fuzz child did not start within " + STARTUP_SECONDS + " s ("
                        + ready + "); see " + out.resolve("worker.log"));
            }
        }

        private void stop() {
            if (child != null) {
                child.destroyForcibly();
                try {
                    child.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                child = null;
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--worker")) {
                m.put("--worker", "");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                m.put(args[i], args[++i]);
            }
        }
        return m;
    }
}
