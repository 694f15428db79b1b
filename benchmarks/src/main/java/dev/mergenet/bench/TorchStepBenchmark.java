package dev.mergenet.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.transfer.model.OnnxClassifier;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import dev.mergenet.transfer.optim.SgdMomentum;
import dev.mergenet.transfer.training.Losses;
import dev.mergenet.transfer.training.TargetTraining;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Training step (forward, cross-entropy, backward, SGD) of torchvision networks imported from ONNX against
 * PyTorch's own eager step of the same network, in one run, alternating step by step. The imported side is the step
 * {@code mergenet train} and {@code mergenet transfer} run: {@link TargetTraining} with {@link SgdMomentum}. PyTorch runs in a child
 * process (scripts/torch_train_step.py, which also exports the network with BatchNormalization in training form).
 * Usage: TorchStepBenchmark [NETWORKS=resnet18,mobilenet_v2] [STEPS=20] [BATCH=16] [SIZE=128] [WARMUP=40]. The PyTorch
 * child runs without the JVM's MALLOC_* settings unless -Dbench.torchSameAllocator=true.
 */
public final class TorchStepBenchmark {
    private static final int CLASSES = 10;
    /** PyTorch's side uses the same (scripts/torch_train_step.py). */
    private static final double LEARNING_RATE = 0.01;
    /** Per step: total ms, forward (with loss) ms, backward ms, update ms, minor page faults. */
    private static final int FIELDS = 5;

    private static final List<String> STEP_FIELDS =
            List.of("ms", "forward_ms", "backward_ms", "update_ms", "minor_faults");

    public static void main(String[] args) throws IOException, InterruptedException {
        List<String> networks = List.of((args.length > 0 ? args[0] : "resnet18,mobilenet_v2").split(","));
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        // the JVM compiles the importer's per-node code over the first tens of steps, and its compiler threads take
        // cores from the kernels meanwhile: steps are compared after that (the warm-up's own cost is printed)
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 40;
        Path script = Path.of(System.getProperty("bench.script", "scripts/torch_train_step.py"));
        String python = System.getProperty("bench.python", "/usr/bin/python3");
        if (!Files.isRegularFile(script)) {
            System.err.println("error: " + script + " not found (run from the repository root, or set -Dbench.script)");
            System.exit(1);
        }
        Path dir = Files.createTempDirectory("torch-step");
        System.out.printf(
                "batch %d, 3x%dx%d, %d steps each after %d warm-up, alternating order; PyTorch %s with"
                        + " 2 threads, %s; JVM with %d processors, MALLOC_MMAP_THRESHOLD_=%s%n",
                batch,
                size,
                size,
                steps,
                warmup,
                python,
                Boolean.getBoolean("bench.torchSameAllocator")
                        ? "the JVM's allocator settings"
                        : "default allocator settings",
                Runtime.getRuntime().availableProcessors(),
                System.getenv("MALLOC_MMAP_THRESHOLD_"));
        System.out.println("| network | imported ms/step | PyTorch ms/step | ratio | imported peak RSS growth"
                + " | PyTorch peak RSS growth |");
        System.out.println("|---|---|---|---|---|---|");
        for (String network : networks) {
            Path onnx = dir.resolve(network + ".onnx");
            export(
                    List.of(python, script.toString(), "export", network, onnx.toString(), String.valueOf(size)),
                    dir.resolve(network + ".log"));
            Path traced = null;
            if (Boolean.getBoolean("bench.torchScript")) {
                traced = dir.resolve(network + ".pt");
                export(
                        List.of(python, script.toString(), "trace", network, traced.toString(), String.valueOf(size)),
                        dir.resolve(network + ".trace.log"));
            }
            compare(network, onnx, traced, python, script, steps, batch, size, warmup);
            Files.deleteIfExists(onnx);
            if (traced != null) {
                Files.deleteIfExists(traced);
            }
        }
        Files.deleteIfExists(dir);
    }

    /**
     * Alternates the imported step with PyTorch's and, when {@code traced} is given, with the same network as
     * TorchScript on the JVM's own libtorch (forward and backward only): what the engine alone costs.
     */
    private static void compare(
            String network,
            Path onnx,
            Path traced,
            String python,
            Path script,
            int steps,
            int batch,
            int size,
            int warmup)
            throws IOException, InterruptedException {
        ProcessBuilder child = new ProcessBuilder(
                        python, script.toString(), "serve", network, String.valueOf(batch), String.valueOf(size))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        if (!Boolean.getBoolean("bench.torchSameAllocator")) {
            // PyTorch runs as a Python user runs it: without the allocator settings our launchers give the JVM
            child.environment().keySet().removeIf(k -> k.startsWith("MALLOC_"));
        }
        Process torch = child.start();
        try (Writer toTorch = new OutputStreamWriter(torch.getOutputStream(), StandardCharsets.UTF_8);
                BufferedReader fromTorch =
                        new BufferedReader(new InputStreamReader(torch.getInputStream(), StandardCharsets.UTF_8));
                NDManager manager = TorchEngine.newManager(Device.cpu());
                Model model = TorchEngine.newModel(network, Device.cpu())) {
            expect(fromTorch.readLine(), "ready");
            OnnxGraphBlock block = OnnxImporter.load(onnx, model.getNDManager());
            model.setBlock(block);
            OnnxClassifier target = new OnnxClassifier(block, true);
            TimedOptimizer sgd = new TimedOptimizer(new SgdMomentum(model.getNDManager(), 0, 0));
            TargetTraining training = new TargetTraining(target, sgd, 0, 1);
            NDArray x = manager.randomUniform(0, 1, new Shape(batch, 3, size, size));
            NDArray labels = manager.randomInteger(0, CLASSES, new Shape(batch), DataType.INT64);
            Memory.resetPeaks();
            long baseline = Memory.rssBytes();
            double[][] imported = new double[FIELDS][steps];
            double[][] eager = new double[FIELDS][steps];
            double[][] torchScript = new double[FIELDS][steps];
            double[] warmupMs = new double[2];
            Block scripted = traced == null ? null : TorchEngine.loadTorchScript(traced, manager);
            for (int i = -warmup; i < steps; i++) {
                if (scripted != null && (i & 2) == 0) { // the third side: first every other pair of steps
                    double[] c = scriptedStep(scripted, x, labels);
                    if (i >= 0) {
                        for (int f = 0; f < FIELDS; f++) {
                            torchScript[f][i] = c[f];
                        }
                    }
                }
                double[] a;
                double[] b;
                if ((i & 1) == 0) { // alternate which side goes first, so neither profits from the other's caches
                    a = importedStep(training, sgd, x, labels);
                    b = torchStep(toTorch, fromTorch);
                } else {
                    b = torchStep(toTorch, fromTorch);
                    a = importedStep(training, sgd, x, labels);
                }
                if (i >= 0) {
                    for (int f = 0; f < FIELDS; f++) {
                        imported[f][i] = a[f];
                        eager[f][i] = b[f];
                    }
                } else {
                    warmupMs[0] += a[0];
                    warmupMs[1] += b[0];
                }
                if (scripted != null && (i & 2) != 0) {
                    double[] c = scriptedStep(scripted, x, labels);
                    if (i >= 0) {
                        for (int f = 0; f < FIELDS; f++) {
                            torchScript[f][i] = c[f];
                        }
                    }
                }
            }
            long importedPeak = Memory.peakRssBytes() - baseline;
            long torchPeak = (long) field(ask(toTorch, fromTorch, "peak", "peak_growth="), "peak_growth");
            double mi = median(imported[0]);
            double me = median(eager[0]);
            System.out.printf(
                    "| %s | %.1f | %.1f | %.2fx | %s | %s |%n",
                    network, mi, me, mi / me, Memory.mib(importedPeak), Memory.mib(torchPeak));
            System.out.printf(
                    "  %s phases, median ms imported / PyTorch: forward+loss %.1f / %.1f,"
                            + " backward %.1f / %.1f, update %.1f / %.1f%n",
                    network,
                    median(imported[1]),
                    median(eager[1]),
                    median(imported[2]),
                    median(eager[2]),
                    median(imported[3]),
                    median(eager[3]));
            System.out.printf(
                    "  %s warm-up (%d steps, not in the medians): imported %.1f s, PyTorch %.1f s%n",
                    network, warmup, warmupMs[0] / 1e3, warmupMs[1] / 1e3);
            System.out.printf(
                    "  %s minor page faults per step, median imported / PyTorch: %.0f / %.0f%n",
                    network, median(imported[4]), median(eager[4]));
            if (scripted != null) {
                System.out.printf(
                        "  %s as TorchScript on the JVM's libtorch (same network and seed, no update):"
                                + " forward+loss %.1f, backward %.1f (its memory counts in the imported side's RSS)%n",
                        network, median(torchScript[1]), median(torchScript[2]));
            }
            toTorch.write("quit\n");
            toTorch.flush();
        } finally {
            if (!torch.waitFor(60, TimeUnit.SECONDS)) {
                torch.destroyForcibly();
            }
        }
    }

    /**
     * One imported step: ms in all, then the ms of forward (with the loss), backward and the parameter update, then
     * the minor page faults of the whole process during the step.
     */
    private static double[] importedStep(TargetTraining training, TimedOptimizer sgd, NDArray x, NDArray labels) {
        long faults = Memory.minorFaults();
        long t0 = System.nanoTime();
        long[] forward = new long[1];
        try (NDManager step = x.getManager().newSubManager()) {
            NDArray in = Scopes.alias(x, step); // a view in the step's scope: no copy (PyTorch reuses x too)
            training.step(in, labels, null, false, LEARNING_RATE, step, () -> forward[0] = System.nanoTime());
        }
        long done = System.nanoTime();
        return new double[] {
            (done - t0) / 1e6,
            (forward[0] - t0) / 1e6,
            (sgd.started - forward[0]) / 1e6,
            (sgd.finished - sgd.started) / 1e6,
            Memory.minorFaults() - faults
        };
    }

    /** The optimizer, with the time its step started and ended: the backward pass ends where the update starts. */
    private static final class TimedOptimizer implements ParameterOptimizer {
        private final ParameterOptimizer inner;
        long started;
        long finished;

        TimedOptimizer(ParameterOptimizer inner) {
            this.inner = inner;
        }

        @Override
        public void step(Map<String, NDArray> params, double lr, NDManager scope) {
            started = System.nanoTime();
            inner.step(params, lr, scope);
            finished = System.nanoTime();
        }

        @Override
        public Map<String, NDArray> stateArrays() {
            return inner.stateArrays();
        }

        @Override
        public long steps() {
            return inner.steps();
        }

        @Override
        public void restore(Map<String, NDArray> arrays, long steps) {
            inner.restore(arrays, steps);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Forward (with the loss) and backward of the TorchScript network; its gradients are zeroed untimed. */
    private static double[] scriptedStep(Block scripted, NDArray x, NDArray labels) {
        long t0 = System.nanoTime();
        long forward;
        long backward;
        try (NDManager step = x.getManager().newSubManager();
                GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray in = Scopes.alias(x, step);
            NDArray logits = scripted.forward(new ParameterStore(step, false), new NDList(in), true)
                    .singletonOrThrow();
            NDArray value = Losses.crossEntropy(Losses.logProbabilities(logits, false), labels);
            forward = System.nanoTime();
            gc.backward(value);
            backward = System.nanoTime();
        }
        scripted.getParameters().values().forEach(p -> Scopes.zeroGradient(p.getArray()));
        return new double[] {(backward - t0) / 1e6, (forward - t0) / 1e6, (backward - forward) / 1e6, 0, 0};
    }

    /** One PyTorch step in the child, measured there the same way. */
    private static double[] torchStep(Writer to, BufferedReader from) throws IOException {
        String line = ask(to, from, "step", "ms=");
        double[] fields = new double[FIELDS];
        for (int f = 0; f < FIELDS; f++) {
            fields[f] = field(line, STEP_FIELDS.get(f));
        }
        return fields;
    }

    /** Sends one command line to the PyTorch child and returns its answer, which must start with {@code prefix}. */
    private static String ask(Writer to, BufferedReader from, String command, String prefix) throws IOException {
        to.write(command + "\n");
        to.flush();
        String line = from.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IOException("PyTorch child answered " + line + " to " + command);
        }
        return line;
    }

    /** The number after {@code name=} in a space-separated answer. */
    private static double field(String line, String name) throws IOException {
        for (String field : line.split(" ")) {
            String[] kv = field.split("=", 2);
            if (kv[0].equals(name)) {
                return Double.parseDouble(kv[1]);
            }
        }
        throw new IOException("PyTorch child's answer has no " + name + ": " + line);
    }

    /** Runs the export; its log (PyTorch's exporter warnings) is shown only when it fails. */
    private static void export(List<String> command, Path log) throws IOException, InterruptedException {
        int rc = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start()
                .waitFor();
        if (rc != 0) {
            System.err.print(Files.readString(log));
            throw new IOException(String.join(" ", command) + " exited with " + rc);
        }
        Files.delete(log);
    }

    private static void expect(String line, String expected) throws IOException {
        if (!expected.equals(line)) {
            throw new IOException("PyTorch child answered " + line + " instead of " + expected);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
