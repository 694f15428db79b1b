package dev.mergenet.bench.fuzz;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.NodeExecutionException;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.verify.ConformanceRunner;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one (mutated) model the way a user's first command would: read the file, import it, run it once on the
 * seed's own inputs (or small random ones from the declared types), and write it back out. The outcome is
 * success, a project error, or something else, which is a bug.
 */
public final class FuzzTarget {
    /** How one model ended. Only SUCCESS and PROJECT_ERROR are clean. */
    public enum Kind {
        SUCCESS,
        PROJECT_ERROR,
        OTHER_EXCEPTION,
        JVM_ERROR,
        HANG,
        CRASH,
        OVER_MEMORY
    }

    /** The outcome: kind, exception class (or "-"), first line of the message. */
    public record Outcome(Kind kind, String type, String message) {
        public boolean clean() {
            return kind == Kind.SUCCESS || kind == Kind.PROJECT_ERROR;
        }
    }

    private static final long MAX_RANDOM_INPUT = 1 << 20;

    /** The harness cannot make an input for the model (counted apart from the importer's own errors). */
    static final class UnfeedableInput extends MergeNetException {
        private static final long serialVersionUID = 1L;

        UnfeedableInput(String message) {
            super(message);
        }
    }

    private FuzzTarget() {}

    /** Runs {@code bytes} as {@code model.onnx} in {@code work} (emptied first); {@code inputs} may be null. */
    public static Outcome run(byte[] bytes, Path work, Map<String, TensorData> inputs) {
        try {
            prepare(work);
            Path file = work.resolve("model.onnx");
            Files.write(file, bytes);
            OnnxModel model = OnnxModelReader.read(file);
            try (NDManager manager = TorchEngine.newManager(Device.cpu())) {
                OnnxGraphBlock block = OnnxImporter.load(model, manager);
                try (NDManager step = manager.newSubManager()) {
                    NDList in = new NDList();
                    for (String name : block.inputNames()) {
                        TensorData given = inputs == null ? null : inputs.get(name);
                        in.add(given != null ? given.toNDArray(step) : random(block.declaredType(name), step, name));
                    }
                    block.forward(new ParameterStore(step, false), in, false);
                }
            }
            OnnxFileWriter.write(
                    model.proto(), work.resolve("out.onnx"), work, new WriteOptions(true, false, List.of()));
            return new Outcome(Kind.SUCCESS, "-", "");
        } catch (MergeNetException e) {
            // a node's unexpected runtime exception is wrapped with the node's name: say what it wrapped
            String type = e.getClass().getSimpleName()
                    + (e instanceof NodeExecutionException && e.getCause() != null
                            ? "(" + e.getCause().getClass().getSimpleName() + ")"
                            : "");
            return new Outcome(Kind.PROJECT_ERROR, type, firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            return new Outcome(Kind.OTHER_EXCEPTION, e.getClass().getName(), firstLine(e.getMessage()));
        } catch (Error e) {
            return new Outcome(Kind.JVM_ERROR, e.getClass().getName(), firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz work folder " + work + ": " + e.getMessage(), e);
        }
    }

    /** The inputs of a backend case's first data set, by input name (null when there are none). */
    public static Map<String, TensorData> caseInputs(Path caseDir, List<ValueInfoProto> declared) {
        Path set = caseDir.resolve("test_data_set_0");
        if (!Files.isDirectory(set)) {
            return null;
        }
        Map<String, TensorData> out = new HashMap<>();
        for (int k = 0; k < declared.size(); k++) {
            Path f = set.resolve("input_" + k + ".pb");
            if (Files.exists(f)) {
                try {
                    out.put(declared.get(k).getName(), ConformanceRunner.readTensor(f));
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }
        }
        return out;
    }

    /** A small random array of the declared type; unknown dims are 1. Too large a declared shape is the model's error. */
    private static NDArray random(TypeProto type, NDManager m, String name) {
        if (type == null || !type.hasTensorType()) {
            throw new UnfeedableInput("fuzz: input '" + name + "' is not a tensor");
        }
        DataType dt = OnnxDataTypes.toDjl(type.getTensorType().getElemType());
        if (dt == null) {
            throw new UnfeedableInput("fuzz: input '" + name + "' has an unrepresentable type");
        }
        List<TensorShapeProto.Dimension> dims = type.getTensorType().getShape().getDimList();
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : 1;
            if (shape[i] < 0 || (shape[i] > 0 && count > MAX_RANDOM_INPUT / shape[i])) {
                throw new UnfeedableInput("fuzz: input '" + name + "' declares shape " + dims.size() + "-d with dim "
                        + shape[i] + ", too large for a random input");
            }
            count *= shape[i];
        }
        Shape s = new Shape(shape);
        if (dt.isFloating()) {
            return m.randomUniform(-1, 1, s, DataType.FLOAT32).toType(dt, false);
        }
        return m.zeros(s, dt);
    }

    private static void prepare(Path work) throws IOException {
        Files.createDirectories(work);
        try (var s = Files.list(work)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.write(work.resolve("data.bin"), new byte[64]);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        String line = i < 0 ? s : s.substring(0, i);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
