package dev.mergenet.exporters.builder;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The operators the builder can emit (ONNX opset 17 signatures): input and output arity and the attributes
 * each accepts, with the required ones marked. A node that does not fit is refused before anything is written.
 */
public enum OnnxOperator {
    ADD(2, 2, 1, Map.of(), Set.of()),
    MUL(2, 2, 1, Map.of(), Set.of()),
    SUM(1, Integer.MAX_VALUE, 1, Map.of(), Set.of()),
    MAT_MUL("MatMul", 2, 2, 1, Map.of(), Set.of()),
    GEMM(
            2,
            3,
            1,
            Map.of("alpha", AttrType.FLOAT, "beta", AttrType.FLOAT, "transA", AttrType.INT, "transB", AttrType.INT),
            Set.of()),
    CONV(
            2,
            3,
            1,
            Map.of(
                    "kernel_shape",
                    AttrType.INTS,
                    "strides",
                    AttrType.INTS,
                    "pads",
                    AttrType.INTS,
                    "dilations",
                    AttrType.INTS,
                    "group",
                    AttrType.INT,
                    "auto_pad",
                    AttrType.STRING),
            Set.of()),
    BATCH_NORMALIZATION(
            "BatchNormalization",
            5,
            5,
            1,
            Map.of("epsilon", AttrType.FLOAT, "momentum", AttrType.FLOAT, "training_mode", AttrType.INT),
            Set.of()),
    LAYER_NORMALIZATION(
            "LayerNormalization",
            2,
            3,
            1,
            Map.of("axis", AttrType.INT, "epsilon", AttrType.FLOAT, "stash_type", AttrType.INT),
            Set.of()),
    RELU(1, 1, 1, Map.of(), Set.of()),
    SIGMOID(1, 1, 1, Map.of(), Set.of()),
    TANH(1, 1, 1, Map.of(), Set.of()),
    SOFTPLUS(1, 1, 1, Map.of(), Set.of()),
    SOFTSIGN(1, 1, 1, Map.of(), Set.of()),
    SELU(1, 1, 1, Map.of("alpha", AttrType.FLOAT, "gamma", AttrType.FLOAT), Set.of()),
    ELU(1, 1, 1, Map.of("alpha", AttrType.FLOAT), Set.of()),
    LEAKY_RELU("LeakyRelu", 1, 1, 1, Map.of("alpha", AttrType.FLOAT), Set.of()),
    CLIP(1, 3, 1, Map.of(), Set.of()),
    SOFTMAX(1, 1, 1, Map.of("axis", AttrType.INT), Set.of()),
    MAX_POOL(
            "MaxPool",
            1,
            1,
            1,
            Map.of(
                    "kernel_shape",
                    AttrType.INTS,
                    "strides",
                    AttrType.INTS,
                    "pads",
                    AttrType.INTS,
                    "dilations",
                    AttrType.INTS,
                    "ceil_mode",
                    AttrType.INT,
                    "auto_pad",
                    AttrType.STRING,
                    "storage_order",
                    AttrType.INT),
            Set.of("kernel_shape")),
    AVERAGE_POOL(
            "AveragePool",
            1,
            1,
            1,
            Map.of(
                    "kernel_shape",
                    AttrType.INTS,
                    "strides",
                    AttrType.INTS,
                    "pads",
                    AttrType.INTS,
                    "ceil_mode",
                    AttrType.INT,
                    "count_include_pad",
                    AttrType.INT,
                    "auto_pad",
                    AttrType.STRING),
            Set.of("kernel_shape")),
    GLOBAL_AVERAGE_POOL("GlobalAveragePool", 1, 1, 1, Map.of(), Set.of()),
    GLOBAL_MAX_POOL("GlobalMaxPool", 1, 1, 1, Map.of(), Set.of()),
    FLATTEN(1, 1, 1, Map.of("axis", AttrType.INT), Set.of()),
    RESHAPE(2, 2, 1, Map.of("allowzero", AttrType.INT), Set.of()),
    TRANSPOSE(1, 1, 1, Map.of("perm", AttrType.INTS), Set.of()),
    CONCAT(1, Integer.MAX_VALUE, 1, Map.of("axis", AttrType.INT), Set.of("axis")),
    DROPOUT(1, 3, 1, Map.of("seed", AttrType.INT), Set.of()),
    IDENTITY(1, 1, 1, Map.of(), Set.of()),
    CAST(1, 1, 1, Map.of("to", AttrType.INT), Set.of("to")),
    CONSTANT(0, 0, 1, Map.of("value", AttrType.TENSOR), Set.of("value"));

    private final String opType;
    private final int minInputs;
    private final int maxInputs;
    private final int outputs;
    private final Map<String, AttrType> attributes;
    private final Set<String> required;

    OnnxOperator(int minInputs, int maxInputs, int outputs, Map<String, AttrType> attributes, Set<String> required) {
        this(null, minInputs, maxInputs, outputs, attributes, required);
    }

    OnnxOperator(
            String opType,
            int minInputs,
            int maxInputs,
            int outputs,
            Map<String, AttrType> attributes,
            Set<String> required) {
        this.opType = opType != null ? opType : camel(name());
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.outputs = outputs;
        this.attributes = attributes;
        this.required = required;
    }

    private static String camel(String enumName) {
        String lower = enumName.toLowerCase(Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    public String opType() {
        return opType;
    }

    public int minInputs() {
        return minInputs;
    }

    public int maxInputs() {
        return maxInputs;
    }

    public int outputs() {
        return outputs;
    }

    public Map<String, AttrType> attributes() {
        return attributes;
    }

    public Set<String> required() {
        return required;
    }
}
