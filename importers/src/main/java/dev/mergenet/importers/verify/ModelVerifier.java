package dev.mergenet.importers.verify;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.onnx.Float16;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * `mergenet verify`: runs the imported graph and ONNX Runtime on the same inputs (from a backend-test style
 * folder, or random inputs of the shapes {@link InputShapes} resolves) and compares every output; or, with
 * {@link #against}, runs an exported model and its original in ONNX Runtime on the same inputs. A NaN or infinity
 * in any output fails its check whatever the tolerance.
 */
public final class ModelVerifier {
    private ModelVerifier() {}

    /** One output compared against one reference ("onnxruntime", "output_K.pb" or the original model). */
    public record Check(String output, String reference, TensorComparison.Result result) {}

    /** What a verification used and found: the inputs fed, the tolerance, and one check per output and reference. */
    public record Report(
            List<InputShapes.Input> inputs, boolean randomInputs, Tolerance tolerance, List<Check> checks) {
        public boolean ok() {
            return !checks.isEmpty() && checks.stream().allMatch(c -> c.result().ok());
        }
    }

    /**
     * Settings of a verification. A null {@code atol} or {@code rtol} takes the precision-aware default of
     * {@link Tolerance}.
     */
    public record Options(
            Path dataDir,
            Map<String, Long> dims,
            Map<String, long[]> shapes,
            Double atol,
            Double rtol,
            long seed,
            Device device) {
        public Options(Path dataDir, Map<String, Long> dims, double atol, double rtol, long seed, Device device) {
            this(dataDir, dims, Map.of(), atol, rtol, seed, device);
        }
    }

    /** The checks of {@link #run}. */
    public static List<Check> verify(Path modelFile, Options o) {
        return run(modelFile, o).checks();
    }

    /** The imported graph against ONNX Runtime (and against DIR's output_K.pb when present). */
    public static Report run(Path modelFile, Options o) {
        OnnxModel model = OnnxModelReader.read(modelFile);
        Tolerance tol = Tolerance.forModel(model.proto()).override(o.atol(), o.rtol());
        InputShapes.checkNames(model, o.dims(), o.shapes());
        List<Check> checks = new ArrayList<>();
        Fed fed;
        // the import first: our errors before the reference's
        try (NDManager manager = TorchEngine.newManager(o.device());
                OnnxGraphBlock block = OnnxImporter.load(model, manager)) {
            fed = inputs(model, o);
            try (OrtRunner ort = new OrtRunner(modelFile)) {
                NDList in = new NDList();
                for (String name : block.inputNames()) {
                    in.add(fed.tensors().get(name).toNDArray(manager));
                }
                NDList out = block.forward(new ParameterStore(manager, false), in, false);
                Map<String, TensorData> expected = ort.run(fed.tensors());
                List<String> names = block.outputNames();
                for (int k = 0; k < names.size(); k++) {
                    NDArray actual = out.get(k);
                    checks.add(new Check(
                            names.get(k),
                            "onnxruntime",
                            TensorComparison.compare(actual, output(expected, names.get(k), modelFile), tol)
                                    .requireFinite()));
                    Path ref = o.dataDir() == null ? null : o.dataDir().resolve("output_" + k + ".pb");
                    if (ref != null && Files.exists(ref)) {
                        checks.add(new Check(
                                names.get(k),
                                ref.getFileName().toString(),
                                TensorComparison.compare(actual, ConformanceRunner.readTensor(ref), tol)
                                        .requireFinite()));
                    }
                }
            }
        } catch (IOException e) {
            throw new MergeNetException(modelFile + ": " + e.getMessage(), e);
        }
        return new Report(fed.used(), o.dataDir() == null, tol, checks);
    }

    /**
     * An exported model against its original, both in ONNX Runtime, on the same inputs (resolved from the export's
     * declared inputs; the original must declare the same input names). Outputs are matched by name.
     */
    public static Report against(Path exported, Path original, Options o) {
        OnnxModel export = OnnxModelReader.read(exported);
        OnnxModel origin = OnnxModelReader.read(original);
        List<String> exportInputs = InputShapes.feeds(export.proto().getGraph()).stream()
                .map(v -> v.getName())
                .toList();
        List<String> originInputs = InputShapes.feeds(origin.proto().getGraph()).stream()
                .map(v -> v.getName())
                .toList();
        if (!new HashSet<>(exportInputs).equals(new HashSet<>(originInputs))) {
            throw new MergeNetException(exported + ": inputs " + exportInputs + " differ from the original's "
                    + originInputs + " (" + original + "); the two models cannot take the same inputs");
        }
        Tolerance tol = Tolerance.forPair(export.proto(), origin.proto()).override(o.atol(), o.rtol());
        Fed fed = inputs(export, o);
        List<Check> checks = new ArrayList<>();
        try (OrtRunner a = new OrtRunner(exported);
                OrtRunner b = new OrtRunner(original)) {
            Map<String, TensorData> got = a.run(fed.tensors());
            Map<String, TensorData> want = b.run(fed.tensors());
            if (!got.keySet().equals(want.keySet())) {
                throw new MergeNetException(exported + ": outputs " + got.keySet() + " differ from the original's "
                        + want.keySet() + " (" + original + ")");
            }
            for (Map.Entry<String, TensorData> e : got.entrySet()) {
                checks.add(new Check(
                        e.getKey(),
                        original.getFileName().toString(),
                        TensorComparison.compare(e.getValue(), want.get(e.getKey()), tol)
                                .requireFinite()));
            }
        }
        return new Report(fed.used(), o.dataDir() == null, tol, checks);
    }

    private static TensorData output(Map<String, TensorData> outputs, String name, Path model) {
        TensorData t = outputs.get(name);
        if (t == null) {
            throw new MergeNetException(model + ": ONNX Runtime returned no output '" + name + "'");
        }
        return t;
    }

    /** The tensors fed and the shapes they have. */
    private record Fed(Map<String, TensorData> tensors, List<InputShapes.Input> used) {}

    private static Fed inputs(OnnxModel model, Options o) {
        InputShapes.checkNames(model, o.dims(), o.shapes());
        try {
            if (o.dataDir() != null) {
                Map<String, TensorData> read = readInputs(model, o.dataDir());
                List<InputShapes.Input> used = new ArrayList<>();
                read.forEach((name, t) -> used.add(new InputShapes.Input(
                        name,
                        t.onnxType(),
                        t.shape().getShape(),
                        List.of("from " + o.dataDir().getFileName()))));
                return new Fed(read, used);
            }
        } catch (IOException e) {
            throw new MergeNetException(o.dataDir() + ": " + e.getMessage(), e);
        }
        List<InputShapes.Input> used = InputShapes.resolve(model, o.dims(), o.shapes());
        return new Fed(randomInputs(model, used, o.seed()), used);
    }

    private static Map<String, TensorData> readInputs(OnnxModel model, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new MergeNetException(dir + ": no such data folder");
        }
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        var declared = model.proto().getGraph().getInputList();
        for (var v : InputShapes.feeds(model.proto().getGraph())) {
            Path file = dir.resolve("input_" + declared.indexOf(v) + ".pb");
            if (!Files.exists(file)) {
                throw new MergeNetException(
                        dir + ": missing " + file.getFileName() + " for input '" + v.getName() + "'");
            }
            inputs.put(v.getName(), ConformanceRunner.readTensor(file));
        }
        return inputs;
    }

    /** Random inputs of the resolved shapes: floats uniform in [-1, 1), integers in [0, 3), bools in {0, 1}. */
    public static Map<String, TensorData> randomInputs(OnnxModel model, List<InputShapes.Input> shapes, long seed) {
        Random rnd = new Random(seed);
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        for (InputShapes.Input input : shapes) {
            String name = input.name();
            DataType type = OnnxDataTypes.toDjl(input.onnxType());
            long[] shape = input.shape();
            if (type != null) {
                // a declared shape like [2^31, 2] is refused, naming the input, before anything is allocated
                MemoryBudget.check(model.origin() + ": input '" + name + "'", shape, type);
            }
            int n = Math.toIntExact(new Shape(shape).size());
            if (type == null) {
                throw new MergeNetException(model.origin() + ": input '" + name + "' has type "
                        + OnnxDataTypes.name(input.onnxType()) + "; give inputs with --data");
            }
            ByteBuffer b = ByteBuffer.allocateDirect(n * type.getNumOfBytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                switch (type) {
                    case FLOAT32:
                        b.putFloat(rnd.nextFloat() * 2 - 1);
                        break;
                    case FLOAT64:
                        b.putDouble(rnd.nextDouble() * 2 - 1);
                        break;
                    case INT64:
                        b.putLong(rnd.nextInt(3));
                        break;
                    case INT32:
                        b.putInt(rnd.nextInt(3));
                        break;
                    case BOOLEAN:
                    case UINT8:
                    case INT8:
                        b.put((byte) rnd.nextInt(2));
                        break;
                    case FLOAT16:
                        b.putShort(Float16.fromFloat(rnd.nextFloat() * 2 - 1));
                        break;
                    default:
                        throw new MergeNetException(model.origin() + ": input '" + name + "' has type " + type
                                + "; give inputs with --data");
                }
            }
            b.flip();
            inputs.put(name, new TensorData(name, OnnxDataTypes.toOnnx(type), type, new Shape(shape), b));
        }
        return inputs;
    }
}
