package dev.mergenet.importers.verify;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs ONNX backend-test case folders (model.onnx + test_data_set_N/{input,output}_K.pb) through the importer
 * and compares with the reference outputs. A case passes only when every data set passes.
 */
public final class ConformanceRunner {
    /** Status of one case. */
    public enum Status {
        PASSED,
        FAILED,
        SKIPPED
    }

    /** One case's outcome. */
    public record CaseResult(String name, Path dir, Status status, String reason) {}

    private final double atol;
    private final double rtol;
    private final Device device;

    public ConformanceRunner(double atol, double rtol, Device device) {
        this.atol = atol;
        this.rtol = rtol;
        this.device = device;
    }

    /** Every case folder under {@code root} (the root itself when it is a case). */
    public static List<Path> findCases(Path root) {
        if (Files.isRegularFile(root.resolve("model.onnx"))) {
            return List.of(root);
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("model.onnx")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list: " + e.getMessage(), e);
        }
    }

    public List<CaseResult> runAll(List<Path> roots, PrintStream log) {
        List<CaseResult> results = new ArrayList<>();
        for (Path root : roots) {
            for (Path dir : findCases(root)) {
                CaseResult r = runCase(dir);
                results.add(r);
                if (log != null && r.status() != Status.PASSED) {
                    log.println(r.status().name().toLowerCase() + " " + r.name() + ": " + r.reason());
                }
            }
        }
        return results;
    }

    public CaseResult runCase(Path dir) {
        String name = dir.getFileName().toString();
        try {
            OnnxModel model = OnnxModelReader.read(dir.resolve("model.onnx"));
            String unrepresentable = unrepresentableType(model);
            if (unrepresentable != null) {
                return new CaseResult(name, dir, Status.SKIPPED, unrepresentable);
            }
            List<Path> sets;
            try (Stream<Path> s = Files.list(dir)) {
                sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_"))
                        .sorted()
                        .toList();
            }
            try (NDManager manager = TorchEngine.newManager(device);
                    OnnxGraphBlock block = OnnxImporter.load(model, manager)) {
                for (Path set : sets) {
                    String problem = runDataSet(block, model, set, manager);
                    if (problem != null) {
                        return new CaseResult(name, dir, Status.FAILED, set.getFileName() + ": " + problem);
                    }
                }
            }
            return new CaseResult(name, dir, Status.PASSED, "");
        } catch (Exception | StackOverflowError e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return new CaseResult(name, dir, Status.FAILED, firstLine(msg));
        }
    }

    private String runDataSet(OnnxGraphBlock block, OnnxModel model, Path set, NDManager parent) throws IOException {
        List<ValueInfoProto> declaredInputs = model.proto().getGraph().getInputList();
        try (NDManager step = parent.newSubManager()) {
            NDList inputs = new NDList();
            for (String inputName : block.inputNames()) {
                int k = indexOf(declaredInputs, inputName);
                Path file = set.resolve("input_" + k + ".pb");
                if (!Files.exists(file)) {
                    return "missing " + file.getFileName() + " for input '" + inputName + "'";
                }
                inputs.add(readTensor(file).toNDArray(step));
            }
            NDList outputs = block.forward(new ParameterStore(step, false), inputs, false);
            List<String> names = block.outputNames();
            for (int k = 0; k < names.size(); k++) {
                Path file = set.resolve("output_" + k + ".pb");
                if (!Files.exists(file)) {
                    continue;
                }
                NDArray actual = outputs.get(k);
                TensorComparison.Result r = TensorComparison.compare(actual, readTensor(file), atol, rtol);
                if (!r.ok()) {
                    return "output '" + names.get(k) + "': " + r.reason();
                }
            }
        }
        return null;
    }

    public static TensorData readTensor(Path file) throws IOException {
        TensorProto t = TensorProto.parseFrom(Files.readAllBytes(file));
        return TensorDecoder.decode(t, file.toString(), file.getParent());
    }

    private static int indexOf(List<ValueInfoProto> list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** A reason when an input or output has a type the engine cannot represent (string, sequence, optional). */
    static String unrepresentableType(OnnxModel model) {
        List<ValueInfoProto> values = new ArrayList<>(model.proto().getGraph().getInputList());
        values.addAll(model.proto().getGraph().getOutputList());
        for (ValueInfoProto v : values) {
            TypeProto t = v.getType();
            if (t.hasSequenceType()) {
                return "'" + v.getName() + "' is a sequence";
            }
            if (t.hasOptionalType()) {
                return "'" + v.getName() + "' is an optional";
            }
            if (t.hasMapType()) {
                return "'" + v.getName() + "' is a map";
            }
            if (t.hasSparseTensorType()) {
                return "'" + v.getName() + "' is a sparse tensor";
            }
            if (t.hasTensorType() && t.getTensorType().getElemType() == TensorProto.DataType.STRING_VALUE) {
                return "'" + v.getName() + "' is a string tensor";
            }
            if (t.hasTensorType() && !OnnxDataTypes.isExact(t.getTensorType().getElemType())) {
                return "'" + v.getName() + "' has type "
                        + OnnxDataTypes.name(t.getTensorType().getElemType())
                        + ", which DJL's PyTorch engine cannot represent";
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** The summary line: exactly "N passed, N failed, N skipped". */
    public static String summary(List<CaseResult> results) {
        long passed = results.stream().filter(r -> r.status() == Status.PASSED).count();
        long failed = results.stream().filter(r -> r.status() == Status.FAILED).count();
        long skipped =
                results.stream().filter(r -> r.status() == Status.SKIPPED).count();
        return passed + " passed, " + failed + " failed, " + skipped + " skipped";
    }
}
