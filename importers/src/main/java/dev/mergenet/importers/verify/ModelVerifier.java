package dev.mergenet.importers.verify;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * `mergenet verify`: runs the imported graph and ONNX Runtime on the same inputs (from a backend-test style
 * folder, or random inputs that respect the declared shapes and types) and compares every output.
 */
public final class ModelVerifier {
    private ModelVerifier() {}

    /** One output compared against one reference ("onnxruntime" or "output_K.pb"). */
    public record Check(String output, String reference, TensorComparison.Result result) {}

    /** Settings of a verification. */
    public record Options(Path dataDir, Map<String, Long> dims, Map<String, long[]> shapes, double atol, double rtol,
                          long seed, Device device) {
        public Options(Path dataDir, Map<String, Long> dims, double atol, double rtol, long seed, Device device) {
            this(dataDir, dims, Map.of(), atol, rtol, seed, device);
        }
    }

    public static List<Check> verify(Path modelFile, Options o) {
        OnnxModel model = OnnxModelReader.read(modelFile);
        List<Check> checks = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(o.device(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(model, manager); // our errors first, then the reference's
            try (OrtRunner ort = new OrtRunner(modelFile)) {
                compare(block, model, ort, manager, o, checks);
            }
            block.close();
        } catch (IOException e) {
            throw new MergeNetException(modelFile + ": " + e.getMessage(), e);
        }
        return checks;
    }

    private static void compare(OnnxGraphBlock block, OnnxModel model, OrtRunner ort, NDManager manager, Options o,
                                List<Check> checks) throws IOException {
        {
            Map<String, TensorData> inputs = o.dataDir() == null ? randomInputs(block, o.dims(), o.shapes(), o.seed())
                    : readInputs(block, model, o.dataDir());
            NDList in = new NDList();
            for (String name : block.inputNames()) {
                in.add(inputs.get(name).toNDArray(manager));
            }
            NDList out = block.forward(new ParameterStore(manager, false), in, false);
            Map<String, TensorData> expected = ort.run(inputs);
            List<String> names = block.outputNames();
            for (int k = 0; k < names.size(); k++) {
                NDArray actual = out.get(k);
                checks.add(new Check(names.get(k), "onnxruntime",
                        TensorComparison.compare(actual, expected.get(names.get(k)), o.atol(), o.rtol())));
                if (o.dataDir() != null) {
                    Path ref = o.dataDir().resolve("output_" + k + ".pb");
                    if (Files.exists(ref)) {
                        checks.add(new Check(names.get(k), ref.getFileName().toString(),
                                TensorComparison.compare(actual, ConformanceRunner.readTensor(ref), o.atol(), o.rtol())));
                    }
                }
            }
        }
    }

    private static Map<String, TensorData> readInputs(OnnxGraphBlock block, OnnxModel model, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new MergeNetException(dir + ": no such data folder");
        }
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        var declared = model.proto().getGraph().getInputList();
        for (String name : block.inputNames()) {
            int k = 0;
            while (k < declared.size() && !declared.get(k).getName().equals(name)) {
                k++;
            }
            Path file = dir.resolve("input_" + k + ".pb");
            if (!Files.exists(file)) {
                throw new MergeNetException(dir + ": missing " + file.getFileName() + " for input '" + name + "'");
            }
            inputs.put(name, ConformanceRunner.readTensor(file));
        }
        return inputs;
    }

    /**
     * Random inputs: floats uniform in [-1, 1), integers in [0, 3). An input's whole shape may be given in
     * {@code shapes}; otherwise symbolic dims come from {@code dims} (default 1).
     */
    public static Map<String, TensorData> randomInputs(OnnxGraphBlock block, Map<String, Long> dims,
                                                       Map<String, long[]> shapes, long seed) {
        Random rnd = new Random(seed);
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        for (String name : block.inputNames()) {
            TypeProto t = block.declaredType(name);
            if (t == null || !t.hasTensorType()) {
                throw new MergeNetException(block.model().origin() + ": input '" + name
                        + "' declares no tensor type; give inputs with --data");
            }
            List<TensorShapeProto.Dimension> ds = t.getTensorType().getShape().getDimList();
            long[] shape = new long[ds.size()];
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension d = ds.get(i);
                shape[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue()
                        : d.hasDimParam() ? dims.getOrDefault(d.getDimParam(), 1L) : 1L;
            }
            if (shapes.containsKey(name)) {
                long[] given = shapes.get(name);
                if (given.length != shape.length) {
                    throw new MergeNetException(block.model().origin() + ": input '" + name + "' has rank " + shape.length
                            + " but the given shape " + java.util.Arrays.toString(given) + " has rank " + given.length);
                }
                for (int i = 0; i < shape.length; i++) {
                    if (ds.get(i).hasDimValue() && ds.get(i).getDimValue() > 0 && ds.get(i).getDimValue() != given[i]) {
                        throw new MergeNetException(block.model().origin() + ": input '" + name + "' dimension " + i
                                + " is fixed at " + ds.get(i).getDimValue() + ", not " + given[i]);
                    }
                }
                shape = given.clone();
            }
            DataType type = block.inputType(name);
            int n = Math.toIntExact(new Shape(shape).size());
            ByteBuffer b = ByteBuffer.allocateDirect(n * type.getNumOfBytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                switch (type) {
                    case FLOAT32: b.putFloat(rnd.nextFloat() * 2 - 1); break;
                    case FLOAT64: b.putDouble(rnd.nextDouble() * 2 - 1); break;
                    case INT64: b.putLong(rnd.nextInt(3)); break;
                    case INT32: b.putInt(rnd.nextInt(3)); break;
                    case BOOLEAN: case UINT8: case INT8: b.put((byte) rnd.nextInt(2)); break;
                    case FLOAT16: b.putShort(dev.mergenet.importers.onnx.Float16.fromFloat(rnd.nextFloat() * 2 - 1)); break;
                    default: throw new MergeNetException(block.model().origin() + ": input '" + name + "' has type "
                            + type + "; give inputs with --data");
                }
            }
            b.flip();
            inputs.put(name, new TensorData(name, dev.mergenet.importers.onnx.OnnxDataTypes.toOnnx(type), type,
                    new Shape(shape), b));
        }
        return inputs;
    }
}
