package dev.mergenet.exporters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.io.AtomicFiles;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.split.InitializerSplit;
import dev.mergenet.importers.split.SplitTensor;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trained weights of an imported model, in a folder: {@value #DATA_FILE} holds the parameter arrays (DJL's
 * NDList encoding, each array named by its ONNX tensor name) and {@value #META_FILE} names the model they
 * belong to (SHA-256 of the ONNX file), the classifier head size if it was replaced, each parameter's name,
 * shape and type, the data file's SHA-256, and the lineage of the training or transfer.
 */
public final class Checkpoint {
    public static final String META_FILE = "checkpoint.json";
    public static final String DATA_FILE = "parameters.ndlist";
    public static final String FORMAT = "mergenet-checkpoint/1";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private Checkpoint() {}

    /** One saved parameter. */
    public record Entry(String name, long[] shape, String dtype) {}

    /** The JSON side of a checkpoint. {@code numClasses} is null when the model's head was kept. */
    public record Meta(String format, String modelSha256, Integer numClasses, List<Entry> parameters,
                       String dataSha256, Lineage lineage) {}

    /** A checkpoint read into arrays. */
    public record Contents(Meta meta, Map<String, NDArray> values) {}

    /** Saves every parameter of the imported graph (weights and BatchNorm statistics). */
    public static void save(OnnxGraphBlock block, Path dir, String modelSha256, Integer numClasses, Lineage lineage) {
        Map<String, NDArray> values = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
            values.put(e.getKey(), e.getValue().getArray());
        }
        save(values, dir, modelSha256, numClasses, lineage);
    }

    public static void save(Map<String, NDArray> values, Path dir, String modelSha256, Integer numClasses,
                            Lineage lineage) {
        try {
            if (dir.getParent() != null && !Files.isDirectory(dir.toAbsolutePath().getParent())) {
                throw new MergeNetException(dir + ": parent folder does not exist");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MergeNetException(dir + ": cannot create the checkpoint folder: " + e.getMessage(), e);
        }
        NDList list = new NDList();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : values.entrySet()) {
            NDArray a = e.getValue();
            a.setName(e.getKey());
            list.add(a);
            entries.add(new Entry(e.getKey(), a.getShape().getShape(), a.getDataType().name().toLowerCase()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            list.encode(bytes);
        } catch (IOException e) {
            throw new MergeNetException(dir + ": cannot encode parameters: " + e.getMessage(), e);
        }
        byte[] data = bytes.toByteArray();
        AtomicFiles.write(dir.resolve(DATA_FILE), out -> out.write(data));
        Meta meta = new Meta(FORMAT, modelSha256, numClasses, entries, ModelHash.sha256(data), lineage);
        AtomicFiles.writeString(dir.resolve(META_FILE), GSON.toJson(meta) + "\n");
    }

    /** Reads the metadata only. */
    public static Meta meta(Path dir) {
        Path file = dir.resolve(META_FILE);
        if (!Files.isDirectory(dir)) {
            throw new MergeNetException(dir + ": checkpoint folder does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new MergeNetException(dir + ": not a checkpoint (no " + META_FILE + ")");
        }
        try {
            Meta m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Meta.class);
            if (m == null || !FORMAT.equals(m.format()) || m.parameters() == null || m.modelSha256() == null) {
                throw new MergeNetException(file + ": not a " + FORMAT + " file");
            }
            return m;
        } catch (IOException | JsonParseException e) {
            throw new MergeNetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads the arrays onto {@code manager}'s device, checking them against the metadata. */
    public static Contents read(Path dir, NDManager manager) {
        Meta meta = meta(dir);
        Path data = dir.resolve(DATA_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(data);
        } catch (IOException e) {
            throw new MergeNetException(dir + ": cannot read " + DATA_FILE + ": " + e.getMessage(), e);
        }
        if (!ModelHash.sha256(bytes).equals(meta.dataSha256())) {
            throw new MergeNetException(data + ": contents do not match the SHA-256 in " + META_FILE
                    + " (file damaged or replaced)");
        }
        NDList list;
        try (InputStream in = new BufferedInputStream(new java.io.ByteArrayInputStream(bytes))) {
            list = NDList.decode(manager, in);
        } catch (IOException | RuntimeException e) {
            throw new MergeNetException(data + ": cannot decode parameters: " + e.getMessage(), e);
        }
        if (list.size() != meta.parameters().size()) {
            throw new MergeNetException(data + ": holds " + list.size() + " arrays but " + META_FILE + " lists "
                    + meta.parameters().size());
        }
        Map<String, NDArray> values = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Entry e = meta.parameters().get(i);
            NDArray a = list.get(i);
            if (!a.getShape().equals(new Shape(e.shape()))) {
                throw new MergeNetException(data + ": array " + i + " ('" + e.name() + "') has shape " + a.getShape()
                        + " but " + META_FILE + " says " + Arrays.toString(e.shape()));
            }
            values.put(e.name(), a);
        }
        return new Contents(meta, values);
    }

    /**
     * Checks that the checkpoint was made for this model (same SHA-256 and head size) and that every
     * parameter exists in it with the same shape; the message names the first problems found.
     */
    public static void checkMatches(Meta meta, Path dir, OnnxModel model, String modelSha256, Integer numClasses) {
        if (!meta.modelSha256().equals(modelSha256)) {
            throw new MergeNetException(dir + ": checkpoint was made for the model with SHA-256 "
                    + meta.modelSha256() + ", but " + model.origin() + " has " + modelSha256);
        }
        if (!java.util.Objects.equals(meta.numClasses(), numClasses)) {
            throw new MergeNetException(dir + ": checkpoint was trained with "
                    + (meta.numClasses() == null ? "the original head" : meta.numClasses() + " classes")
                    + " but the export asks for " + (numClasses == null ? "the original head"
                    : numClasses + " classes") + " (--num-classes)");
        }
        Map<String, TensorProto> tensors = floatTensors(model);
        List<String> problems = new ArrayList<>();
        for (Entry e : meta.parameters()) {
            TensorProto t = tensors.get(e.name());
            if (t == null) {
                problems.add("'" + e.name() + "' is not a float tensor of the model");
            } else if (!TensorDecoder.shape(t).equals(new Shape(e.shape()))) {
                problems.add("'" + e.name() + "' has shape " + Arrays.toString(e.shape()) + " but the model's is "
                        + TensorDecoder.shape(t));
            }
        }
        if (!problems.isEmpty()) {
            throw new MergeNetException(dir + ": checkpoint does not match " + model.origin() + ": "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : ""));
        }
    }

    /**
     * Loads into a graph imported from a file: the file's SHA-256 must be the checkpoint's; the head size is
     * the checkpoint's own (the caller re-headed the model the same way before importing it).
     */
    public static void load(OnnxGraphBlock block, Path dir) {
        Path file = block.model().file().orElseThrow(() -> new MergeNetException(dir + ": the graph was not"
                + " imported from a file, so its SHA-256 is unknown; use load(block, dir, sha256, numClasses)"));
        load(block, dir, ModelHash.sha256(file), meta(dir).numClasses());
    }

    /** Copies a checkpoint's values into an imported graph's parameters (in place, on their device). */
    public static void load(OnnxGraphBlock block, Path dir, String modelSha256, Integer numClasses) {
        Meta meta = meta(dir);
        checkMatches(meta, dir, block.model(), modelSha256, numClasses);
        NDManager scratch = block.onnxParameters().values().iterator().next().getArray().getManager().newSubManager();
        try (scratch) {
            Contents c = read(dir, scratch);
            for (Map.Entry<String, NDArray> e : c.values().entrySet()) {
                NDArray target = block.parameter(e.getKey()).getArray();
                target.set(e.getValue().toType(target.getDataType(), false).toByteBuffer());
            }
        }
    }

    /** Float initializers and Constant tensors by name: what an import turns into parameters. */
    static Map<String, TensorProto> floatTensors(OnnxModel model) {
        Map<String, TensorProto> map = new HashMap<>();
        for (TensorProto t : model.proto().getGraph().getInitializerList()) {
            if (OnnxDataTypes.isFloat(t.getDataType())) {
                map.put(t.getName(), t);
            }
        }
        for (NodeProto n : model.proto().getGraph().getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                n.getAttributeList().stream().filter(a -> a.getName().equals("value") && a.hasT()
                        && OnnxDataTypes.isFloat(a.getT().getDataType())).findFirst()
                        .ifPresent(a -> map.put(n.getOutput(0), a.getT()));
            }
        }
        // tensors the import splits off value-merged initializers are saved under their own names
        InitializerSplit split = InitializerSplit.plan(model, java.util.Set.of());
        for (SplitTensor s : split.splits()) {
            map.putIfAbsent(s.name(), map.get(split.rootOf(s.name())));
        }
        return map;
    }
}
