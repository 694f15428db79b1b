package dev.mergenet.importers.ort;

import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.ConstantSizeCheck;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime as the independent reference: runs a model file on host tensors. It owns an ONNX Runtime session:
 * {@link #close()} ends it, after which every use fails with an {@link IllegalStateException} naming the model.
 */
public final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String origin;
    private volatile boolean closed;

    /**
     * Opens an ONNX Runtime session on a model file.
     *
     * @param model the .onnx file
     * @throws MergeNetException if the model is over the memory budget or ONNX Runtime cannot load it
     */
    public OrtRunner(Path model) {
        this.origin = model.toString();
        refuseOverBudget(model);
        try (OrtSession.SessionOptions options = boundedOptions()) {
            options.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            this.session = env.createSession(model.toString(), options);
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /**
     * Opens an ONNX Runtime session on a serialized model.
     *
     * @param model the model's bytes
     * @param origin the name used in messages
     * @throws MergeNetException if the model is over the memory budget or ONNX Runtime cannot load it
     */
    public OrtRunner(byte[] model, String origin) {
        this.origin = origin;
        refuseOverBudget(parsed(model), origin);
        try (OrtSession.SessionOptions options = boundedOptions()) {
            this.session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /**
     * No CPU arena and no memory pattern: ONNX Runtime then frees each buffer when done and does not reserve
     * the peak of a previous run, so its memory stays what the model's tensors need.
     */
    private static OrtSession.SessionOptions boundedOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setCPUArenaAllocator(false);
        options.setMemoryPatternOptimization(false);
        return options;
    }

    /** Refuses, before ONNX Runtime folds them at session creation, constant sizes over the memory budget. */
    private static void refuseOverBudget(Path model) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(model);
        } catch (IOException | OutOfMemoryError e) {
            return; // ONNX Runtime reports an unreadable file itself
        }
        refuseOverBudget(parsed(bytes), model.toString());
    }

    private static void refuseOverBudget(ModelProto proto, String origin) {
        if (proto != null) {
            ConstantSizeCheck.check(proto.getGraph(), origin);
        }
    }

    private static ModelProto parsed(byte[] bytes) {
        try {
            return ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return null; // not ONNX: ONNX Runtime's own error says so
        }
    }

    /**
     * The graph inputs ONNX Runtime feeds, in its order.
     *
     * @return the graph inputs ONNX Runtime feeds, in its order
     */
    public List<String> inputNames() {
        checkOpen();
        return List.copyOf(session.getInputNames());
    }

    /**
     * The graph outputs, in the model's order.
     *
     * @return the graph outputs, in the model's order
     */
    public List<String> outputNames() {
        checkOpen();
        return List.copyOf(session.getOutputNames());
    }

    /**
     * Runs the model.
     *
     * @param inputs host tensors by graph input name
     * @return the outputs by name, in the model's output order
     * @throws MergeNetException if ONNX Runtime fails or an input type has no ONNX Runtime Java form
     */
    public Map<String, TensorData> run(Map<String, TensorData> inputs) {
        checkOpen();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, TensorData> e : inputs.entrySet()) {
                feeds.put(e.getKey(), toOrt(e.getValue()));
            }
            Map<String, TensorData> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt(e.getKey(), e.getValue()));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Declared input types as ONNX Runtime sees them (for random inputs).
     *
     * @return declared input types as ONNX Runtime sees them (for random inputs)
     */
    public Map<String, NodeInfo> inputInfo() {
        checkOpen();
        try {
            return session.getInputInfo();
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": " + e.getMessage(), e);
        }
    }

    private OnnxTensor toOrt(TensorData t) throws OrtException {
        ByteBuffer bytes = t.toOnnxBytes().order(ByteOrder.nativeOrder());
        long[] shape = t.shape().getShape();
        // typed buffers: ORT counts a plain ByteBuffer in bytes, whatever the declared element type
        switch (t.onnxType()) {
            case 1:
                return OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape);
            case 11:
                return OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), shape);
            case 7:
                return OnnxTensor.createTensor(env, bytes.asLongBuffer(), shape);
            case 6:
                return OnnxTensor.createTensor(env, bytes.asIntBuffer(), shape);
            case 5:
                return OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape);
            case 10:
                return OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
            case 16:
                return OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape, OnnxJavaType.BFLOAT16);
            case 3:
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.INT8);
            case 2:
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.UINT8);
            case 9:
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.BOOL);
            default:
                throw new MergeNetException(origin + ": input '" + t.name() + "' has type "
                        + OnnxDataTypes.name(t.onnxType()) + ", which ONNX Runtime's Java API cannot take");
        }
    }

    private TensorData fromOrt(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new MergeNetException(origin + ": output '" + name + "' is not a tensor");
        }
        TensorInfo info = tensor.getInfo();
        int onnxType = onnxTypeOf(info.onnxType);
        if (OnnxDataTypes.toDjl(onnxType) == null) {
            throw new MergeNetException(origin + ": output '" + name + "' has type " + info.onnxType);
        }
        ByteBuffer src = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        return TensorData.fromOnnxBytes(name, onnxType, new Shape(info.getShape()), src);
    }

    /** ORT's Java enum numbers its types differently from ONNX; match them by name. */
    private static int onnxTypeOf(TensorInfo.OnnxTensorType t) {
        String name = t.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
        try {
            return TensorProto.DataType.valueOf(name).getNumber();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(origin + ": the ONNX Runtime session was closed; open a new OrtRunner");
        }
    }

    /** Ends the ONNX Runtime session; closing it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": " + e.getMessage(), e);
        }
    }
}
