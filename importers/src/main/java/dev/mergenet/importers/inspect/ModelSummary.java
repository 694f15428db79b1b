package dev.mergenet.importers.inspect;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.UnsupportedOpsException;
import dev.mergenet.importers.ImportOptions;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.analysis.FoldedNormalization;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.split.InitializerSplit;
import dev.mergenet.importers.split.SplitTensor;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What `mergenet inspect` prints: format facts, signature, op histogram and the importer's view of weights. */
public final class ModelSummary {
    private ModelSummary() {}

    public static void print(OnnxModel model, PrintStream out) {
        print(model, out, false);
    }

    public static void print(OnnxModel model, PrintStream out, boolean listParameters) {
        print(model, out, listParameters, ImportOptions.DEFAULT);
    }

    /**
     * With {@code listParameters}, also one line per parameter: name, shape, type, trainable or statistic, and
     * the nodes that read it. {@code options} are the import's (e.g. aliases to keep tied).
     */
    public static void print(OnnxModel model, PrintStream out, boolean listParameters, ImportOptions options) {
        var p = model.proto();
        out.println("model:        " + model.origin());
        out.println("ir_version:   " + p.getIrVersion());
        out.println("opsets:       "
                + model.opsets().entrySet().stream()
                        .map(e -> (e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + " " + e.getValue())
                        .toList());
        out.println("producer:     " + (p.getProducerName() + " " + p.getProducerVersion()).trim());
        if (p.getMetadataPropsCount() > 0) {
            out.println("metadata:");
            for (StringStringEntryProto e : p.getMetadataPropsList()) {
                out.println("  " + e.getKey() + " = " + abbreviate(e.getValue()));
            }
        }
        GraphProto g = p.getGraph();
        Set<String> init = new TreeSet<>();
        g.getInitializerList().forEach(t -> init.add(t.getName()));
        out.println("inputs:");
        for (ValueInfoProto v : g.getInputList()) {
            if (!init.contains(v.getName())) {
                out.println("  " + v.getName() + ": " + describe(v.getType()));
            }
        }
        out.println("outputs:");
        for (ValueInfoProto v : g.getOutputList()) {
            out.println("  " + v.getName() + ": " + describe(v.getType()));
        }
        Map<String, Integer> histogram = new TreeMap<>();
        countOps(g, histogram);
        out.println("ops ("
                + histogram.values().stream().mapToInt(Integer::intValue).sum() + " nodes):");
        histogram.forEach((op, n) -> out.println(String.format("  %-28s %d", op, n)));
        Set<String> external = new TreeSet<>();
        collectExternal(g, external);
        out.println("external data files: " + (external.isEmpty() ? "none" : external));
        List<String> trainingMode = TrainingModeNodes.find(model);
        if (!trainingMode.isEmpty()) {
            out.println("warning: " + trainingMode.size() + " node(s) exported in training mode:");
            trainingMode.forEach(t -> out.println("  " + t));
        }
        FoldedNormalization.find(model).ifPresent(f -> out.println("warning: " + f.warning()));

        List<String> unsupported = OnnxImporter.unsupportedNodes(model);
        if (!unsupported.isEmpty()) {
            out.println("unsupported (" + unsupported.size() + "):");
            unsupported.forEach(u -> out.println("  " + u));
            return;
        }
        out.println("unsupported: none");
        try (NDManager manager = TorchEngine.newManager(Device.cpu());
                OnnxGraphBlock block = OnnxImporter.load(model, manager, options)) {
            long trainable = 0;
            long trainableBytes = 0;
            long stats = 0;
            long statBytes = 0;
            for (Parameter param : block.onnxParameters().values()) {
                NDArray a = param.getArray();
                long n = a.getShape().size();
                long bytes = n * a.getDataType().getNumOfBytes();
                if (param.requiresGradient()) {
                    trainable += n;
                    trainableBytes += bytes;
                } else {
                    stats += n;
                    statBytes += bytes;
                }
            }
            long frozen = 0;
            long frozenBytes = 0;
            for (NDArray a : block.frozenTensors().values()) {
                frozen += a.getShape().size();
                frozenBytes += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
            out.println(String.format(
                    "parameters:   %,d trainable (%s) in %d tensors",
                    trainable,
                    bytes(trainableBytes),
                    block.onnxParameters().values().stream()
                            .filter(Parameter::requiresGradient)
                            .count()));
            out.println(String.format(
                    "              %,d running statistics (%s), %,d frozen (%s) in %d tensors",
                    stats,
                    bytes(statBytes),
                    frozen,
                    bytes(frozenBytes),
                    block.frozenTensors().size()));
            out.println("hoisted constants: " + block.hoistedConstants().size() + " float Constant node(s) became"
                    + " trainable parameters");
            printSplit(block.split(), out);
            if (listParameters) {
                out.println("parameter list (name, type and shape, role, <- nodes reading it):");
                Map<String, List<String>> readers = block.parameterConsumers();
                block.onnxParameters()
                        .forEach((name, param) -> out.println("  " + name + " "
                                + param.getArray().getDataType()
                                + param.getArray().getShape()
                                + (param.requiresGradient() ? " trainable" : " running-statistic")
                                + (block.hoistedConstants().containsKey(name) ? " (hoisted Constant)" : "")
                                + " <- "
                                + (readers.get(name).isEmpty() ? "(no node)" : String.join(", ", readers.get(name)))));
            }
        } catch (UnsupportedOpsException e) {
            out.println("unsupported: " + e.getMessage());
        } catch (MergeNetException e) {
            out.println("import failed: " + e.getMessage());
        }
    }

    /** Value-merged initializers and what the import split off them. */
    private static void printSplit(InitializerSplit split, PrintStream out) {
        if (split.valueMerged().isEmpty() && split.isEmpty()) {
            out.println("value-merged initializers: none");
            return;
        }
        out.println("value-merged initializers: " + split.valueMerged().size() + " (the exporter shared equal tensors"
                + " through Identity nodes):");
        split.valueMerged()
                .forEach((root, aliases) -> out.println("  " + root + " also as " + aliases.size() + ": "
                        + String.join(", ", aliases.subList(0, Math.min(6, aliases.size())))
                        + (aliases.size() > 6 ? ", ..." : "")));
        out.println("split on import: " + split.splits().size() + " tensor(s) made independent:");
        for (SplitTensor s : split.splits()) {
            out.println("  " + s.name() + " ("
                    + (s.role() == SplitTensor.Role.PARAMETER ? "parameter" : "running " + "statistic") + ", read by "
                    + String.join(", ", s.consumers()) + "): " + s.reason());
        }
        if (!split.keptTied().isEmpty()) {
            out.println("kept tied on request: " + String.join(", ", split.keptTied()));
        }
    }

    private static void countOps(GraphProto g, Map<String, Integer> histogram) {
        for (NodeProto n : g.getNodeList()) {
            String key = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")
                    ? n.getOpType()
                    : n.getDomain() + "::" + n.getOpType();
            histogram.merge(key, 1, Integer::sum);
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    countOps(a.getG(), histogram);
                }
                a.getGraphsList().forEach(sub -> countOps(sub, histogram));
            }
        }
    }

    private static void collectExternal(GraphProto g, Set<String> files) {
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                t.getExternalDataList().stream()
                        .filter(e -> e.getKey().equals("location"))
                        .forEach(e -> files.add(e.getValue()));
            }
        }
    }

    /** "FLOAT [batch, 3, 224, 224]" with symbolic dims by name. */
    public static String describe(TypeProto t) {
        if (t.hasTensorType()) {
            StringBuilder sb =
                    new StringBuilder(OnnxDataTypes.name(t.getTensorType().getElemType()));
            if (t.getTensorType().hasShape()) {
                sb.append(" [");
                List<TensorShapeProto.Dimension> dims =
                        t.getTensorType().getShape().getDimList();
                for (int i = 0; i < dims.size(); i++) {
                    TensorShapeProto.Dimension d = dims.get(i);
                    sb.append(i > 0 ? ", " : "")
                            .append(
                                    d.hasDimValue()
                                            ? String.valueOf(d.getDimValue())
                                            : d.hasDimParam() ? d.getDimParam() : "?");
                }
                sb.append(']');
            }
            return sb.toString();
        }
        if (t.hasSequenceType()) {
            return "sequence of " + describe(t.getSequenceType().getElemType());
        }
        if (t.hasOptionalType()) {
            return "optional " + describe(t.getOptionalType().getElemType());
        }
        return "(undeclared)";
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        return String.format("%.1f MiB", b / 1024.0 / 1024.0);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
