package dev.mergenet.importers.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ONNX Runtime as the independent reference: runs a model file on host tensors. */
public final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String origin;

    public OrtRunner(Path model) {
        this.origin = model.toString();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            this.session = env.createSession(model.toString(), options);
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    public OrtRunner(byte[] model, String origin) {
        this.origin = origin;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            this.session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    public List<String> inputNames() {
        return List.copyOf(session.getInputNames());
    }

    public List<String> outputNames() {
        return List.copyOf(session.getOutputNames());
    }

    /** Runs the model; outputs come back in the model's output order. */
    public Map<String, TensorData> run(Map<String, TensorData> inputs) {
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

    /** Declared input types as ONNX Runtime sees them (for random inputs). */
    public Map<String, NodeInfo> inputInfo() {
        try {
            return session.getInputInfo();
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": " + e.getMessage(), e);
        }
    }

    private OnnxTensor toOrt(TensorData t) throws OrtException {
        ByteBuffer bytes = t.toOnnxBytes().order(ByteOrder.nativeOrder());
        long[] shape = t.shape().getShape();
        OnnxJavaType type = OnnxJavaType.mapFromOnnxTensorType(
                ai.onnxruntime.TensorInfo.OnnxTensorType.mapFromInt(t.onnxType()));
        if (type == OnnxJavaType.STRING || type == OnnxJavaType.UNKNOWN) {
            throw new MergeNetException(origin + ": input type " + OnnxDataTypes.name(t.onnxType())
                    + " is not supported for ONNX Runtime");
        }
        return OnnxTensor.createTensor(env, bytes, shape, type);
    }

    private TensorData fromOrt(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new MergeNetException(origin + ": output '" + name + "' is not a tensor");
        }
        TensorInfo info = tensor.getInfo();
        if (OnnxDataTypes.toDjl(info.onnxType.value) == null) {
            throw new MergeNetException(origin + ": output '" + name + "' has type " + info.onnxType);
        }
        ByteBuffer src = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        return TensorData.fromOnnxBytes(name, info.onnxType.value, new Shape(info.getShape()), src);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new MergeNetException(origin + ": " + e.getMessage(), e);
        }
    }
}
