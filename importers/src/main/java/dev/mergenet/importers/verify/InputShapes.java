package dev.mergenet.importers.verify;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shapes of generated inputs. A dim comes from --shape, --dim, the declared value, or the model's own records
 * (a metadata entry named like the dim or an image-size entry such as {@code imgsz}; a value_info entry of the input
 * with concrete dims). Only a batch dim (a symbolic first dim) defaults to 1: any other symbolic dim without a value
 * is an error that names it, so a detector never "verifies" on a 1x1 image.
 */
public final class InputShapes {
    /** Metadata keys that record an image or input size (Ultralytics writes imgsz, others image_size or input_size). */
    static final List<String> SIZE_KEYS =
            List.of("imgsz", "image_size", "img_size", "input_size", "input_shape", "image_shape");

    private static final Pattern INTEGER = Pattern.compile("\\d+");

    private InputShapes() {}

    /** One graph input to feed: ONNX element type, the shape used, and where its symbolic dims came from. */
    public record Input(String name, int onnxType, long[] shape, List<String> notes) {
        /** e.g. {@code x FLOAT [1, 3, 48, 192]} followed by the notes. */
        public String describe() {
            return name + " " + TensorProto.DataType.forNumber(onnxType) + " " + Arrays.toString(shape)
                    + (notes.isEmpty() ? "" : "  (" + String.join("; ", notes) + ")");
        }
    }

    /** The graph inputs a caller feeds: declared inputs that no initializer backs, in declaration order. */
    public static List<ValueInfoProto> feeds(GraphProto g) {
        Set<String> initialized = new HashSet<>();
        g.getInitializerList().forEach(t -> initialized.add(t.getName()));
        return g.getInputList().stream()
                .filter(v -> !initialized.contains(v.getName()))
                .toList();
    }

    /** Symbolic dim names of the fed inputs, in order of first appearance. */
    public static Set<String> symbolicDims(OnnxModel model) {
        Set<String> names = new LinkedHashSet<>();
        for (ValueInfoProto v : feeds(model.proto().getGraph())) {
            for (TensorShapeProto.Dimension d : dims(v)) {
                if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                    names.add(d.getDimParam());
                }
            }
        }
        return names;
    }

    /**
     * Resolves every fed input's shape. {@code dims} names symbolic dims, {@code shapes} gives whole input shapes;
     * an unknown name in either is an error listing what the model has.
     */
    public static List<Input> resolve(OnnxModel model, Map<String, Long> dims, Map<String, long[]> shapes) {
        checkNames(model, dims, shapes);
        GraphProto g = model.proto().getGraph();
        List<ValueInfoProto> feeds = feeds(g);
        Set<String> batchDims = batchDims(feeds);
        Map<String, Recorded> recorded = recordedDims(model);
        List<Input> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> flags = new LinkedHashSet<>();
        for (ValueInfoProto v : feeds) {
            if (!v.getType().hasTensorType()) {
                throw new MergeNetException(model.origin() + ": input '" + v.getName()
                        + "' declares no tensor type; give inputs with --data");
            }
            List<TensorShapeProto.Dimension> ds = dims(v);
            int type = v.getType().getTensorType().getElemType();
            if (shapes.containsKey(v.getName())) {
                out.add(new Input(v.getName(), type, given(model, v, ds, shapes.get(v.getName())), List.of("--shape")));
                continue;
            }
            long[] shape = new long[ds.size()];
            List<String> notes = new ArrayList<>();
            List<Integer> open = new ArrayList<>();
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension d = ds.get(i);
                String param = d.hasDimParam() ? d.getDimParam() : "";
                if (d.hasDimValue() && d.getDimValue() > 0) {
                    shape[i] = d.getDimValue();
                } else if (!param.isEmpty() && dims.containsKey(param)) {
                    shape[i] = dims.get(param);
                } else if (!param.isEmpty() && recorded.containsKey(param)) {
                    shape[i] = recorded.get(param).value();
                    notes.add(param + "=" + shape[i] + " from "
                            + recorded.get(param).where());
                } else if (i == 0 && (param.isEmpty() || batchDims.contains(param))) {
                    shape[i] = 1;
                    notes.add((param.isEmpty() ? "dim 0" : param) + "=1, the batch default");
                } else {
                    open.add(i);
                }
            }
            fillFromSizeMetadata(model, v.getName(), ds, shape, open, notes);
            fillFromValueInfo(g, v.getName(), shape, open, notes);
            if (!open.isEmpty()) {
                missing.add(describeMissing(v, ds, open));
                for (int i : open) {
                    flags.add(
                            ds.get(i).hasDimParam() && !ds.get(i).getDimParam().isEmpty()
                                    ? "--dim " + ds.get(i).getDimParam() + "=VALUE"
                                    : "--shape " + v.getName() + "=D1xD2x...");
                }
            }
            out.add(new Input(v.getName(), type, shape, List.copyOf(notes)));
        }
        if (!missing.isEmpty()) {
            throw new MergeNetException(model.origin() + ": " + String.join("; ", missing)
                    + ": the model records no value for them and 1 would not be a representative size; set them: "
                    + String.join(" ", flags) + " (or give whole shapes with --shape INPUT=D1xD2x...)");
        }
        return out;
    }

    /** Refuses a --dim name that is no symbolic dim of the inputs and a --shape name that is no input. */
    public static void checkNames(OnnxModel model, Map<String, Long> dims, Map<String, long[]> shapes) {
        Set<String> symbolic = symbolicDims(model);
        for (String name : dims.keySet()) {
            if (!symbolic.contains(name)) {
                throw new MergeNetException(model.origin() + ": --dim " + name + ": the model has no symbolic dim '"
                        + name + "'; "
                        + (symbolic.isEmpty()
                                ? "its inputs have none"
                                : "its symbolic dims are " + String.join(", ", symbolic)));
            }
        }
        List<String> inputNames = feeds(model.proto().getGraph()).stream()
                .map(ValueInfoProto::getName)
                .toList();
        for (String name : shapes.keySet()) {
            if (!inputNames.contains(name)) {
                throw new MergeNetException(model.origin() + ": --shape " + name + ": the model has no input '" + name
                        + "'; its inputs are " + String.join(", ", inputNames));
            }
        }
    }

    /** A symbolic name used only as the first dim of inputs is a batch size. */
    private static Set<String> batchDims(List<ValueInfoProto> feeds) {
        Set<String> first = new HashSet<>();
        Set<String> elsewhere = new HashSet<>();
        for (ValueInfoProto v : feeds) {
            List<TensorShapeProto.Dimension> ds = dims(v);
            for (int i = 0; i < ds.size(); i++) {
                if (ds.get(i).hasDimParam() && !ds.get(i).getDimParam().isEmpty()) {
                    (i == 0 ? first : elsewhere).add(ds.get(i).getDimParam());
                }
            }
        }
        first.removeAll(elsewhere);
        return first;
    }

    private record Recorded(long value, String where) {}

    /** Metadata entries whose key is a dim name and whose value is a positive integer. */
    private static Map<String, Recorded> recordedDims(OnnxModel model) {
        Map<String, Recorded> out = new LinkedHashMap<>();
        Set<String> symbolic = symbolicDims(model);
        for (StringStringEntryProto e : model.proto().getMetadataPropsList()) {
            if (symbolic.contains(e.getKey()) && e.getValue().strip().matches("\\d+")) {
                long value = Long.parseLong(e.getValue().strip());
                if (value > 0) {
                    out.put(e.getKey(), new Recorded(value, "metadata '" + e.getKey() + "'"));
                }
            }
        }
        return out;
    }

    /**
     * An image-size metadata entry fills the open dims: as many integers as the input's rank give the whole shape,
     * as many as the open dims fill them in order, and one integer fills two open dims (a square image).
     */
    private static void fillFromSizeMetadata(
            OnnxModel model,
            String input,
            List<TensorShapeProto.Dimension> ds,
            long[] shape,
            List<Integer> open,
            List<String> notes) {
        if (open.isEmpty()) {
            return;
        }
        for (StringStringEntryProto e : model.proto().getMetadataPropsList()) {
            if (!SIZE_KEYS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            List<Long> values = integers(e.getValue());
            long[] fill;
            if (values.size() == shape.length && agreesWithFixed(ds, values)) {
                fill = open.stream().mapToLong(values::get).toArray();
            } else if (values.size() == open.size()) {
                fill = values.stream().mapToLong(Long::longValue).toArray();
            } else if (values.size() == 1 && open.size() == 2) {
                fill = new long[] {values.get(0), values.get(0)};
            } else {
                continue;
            }
            if (Arrays.stream(fill).anyMatch(x -> x <= 0)) {
                continue;
            }
            for (int k = 0; k < open.size(); k++) {
                shape[open.get(k)] = fill[k];
                notes.add(name(ds.get(open.get(k)), open.get(k)) + "=" + fill[k] + " from metadata '" + e.getKey()
                        + "' of input " + input);
            }
            open.clear();
            return;
        }
    }

    /** A value_info entry for the input itself with concrete dims where the declared input has symbolic ones. */
    private static void fillFromValueInfo(
            GraphProto g, String input, long[] shape, List<Integer> open, List<String> notes) {
        if (open.isEmpty()) {
            return;
        }
        for (ValueInfoProto vi : g.getValueInfoList()) {
            if (!vi.getName().equals(input) || dims(vi).size() != shape.length) {
                continue;
            }
            List<TensorShapeProto.Dimension> ds = dims(vi);
            if (open.stream().allMatch(i -> ds.get(i).hasDimValue() && ds.get(i).getDimValue() > 0)) {
                for (int i : open) {
                    shape[i] = ds.get(i).getDimValue();
                    notes.add("dim " + i + "=" + shape[i] + " from value_info of " + input);
                }
                open.clear();
                return;
            }
        }
    }

    private static String describeMissing(ValueInfoProto v, List<TensorShapeProto.Dimension> ds, List<Integer> open) {
        List<String> names = new ArrayList<>();
        for (int i : open) {
            names.add(name(ds.get(i), i));
        }
        return "input '" + v.getName() + "' " + declared(ds) + " has symbolic dim" + (open.size() == 1 ? " " : "s ")
                + String.join(", ", names);
    }

    private static long[] given(OnnxModel model, ValueInfoProto v, List<TensorShapeProto.Dimension> ds, long[] given) {
        if (given.length != ds.size()) {
            throw new MergeNetException(model.origin() + ": input '" + v.getName() + "' has rank " + ds.size()
                    + " but the given shape " + Arrays.toString(given) + " has rank " + given.length);
        }
        for (int i = 0; i < given.length; i++) {
            if (given[i] <= 0) {
                throw new MergeNetException(model.origin() + ": --shape " + v.getName() + ": dimension " + i
                        + " must be positive, got " + given[i]);
            }
            if (ds.get(i).hasDimValue()
                    && ds.get(i).getDimValue() > 0
                    && ds.get(i).getDimValue() != given[i]) {
                throw new MergeNetException(model.origin() + ": input '" + v.getName() + "' dimension " + i
                        + " is fixed at " + ds.get(i).getDimValue() + ", not " + given[i]);
            }
        }
        return given.clone();
    }

    private static boolean agreesWithFixed(List<TensorShapeProto.Dimension> ds, List<Long> values) {
        for (int i = 0; i < ds.size(); i++) {
            if (ds.get(i).hasDimValue()
                    && ds.get(i).getDimValue() > 0
                    && ds.get(i).getDimValue() != values.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static List<Long> integers(String text) {
        List<Long> out = new ArrayList<>();
        Matcher m = INTEGER.matcher(text);
        while (m.find() && out.size() < 16) {
            try {
                out.add(Long.parseLong(m.group()));
            } catch (NumberFormatException e) {
                return List.of();
            }
        }
        return out;
    }

    private static String name(TensorShapeProto.Dimension d, int index) {
        return d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "dim " + index + " (unnamed)";
    }

    private static String declared(List<TensorShapeProto.Dimension> ds) {
        List<String> parts = new ArrayList<>();
        for (TensorShapeProto.Dimension d : ds) {
            parts.add(
                    d.hasDimValue() && d.getDimValue() > 0
                            ? Long.toString(d.getDimValue())
                            : d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "?");
        }
        return parts.toString();
    }

    private static List<TensorShapeProto.Dimension> dims(ValueInfoProto v) {
        return v.getType().hasTensorType()
                ? v.getType().getTensorType().getShape().getDimList()
                : List.of();
    }
}
