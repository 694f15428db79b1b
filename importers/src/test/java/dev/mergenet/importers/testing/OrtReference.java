package dev.mergenet.importers.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime on DJL arrays, keeping output types as ONNX Runtime's Java API reports them (OnnxJavaType),
 * so exact byte comparisons and float comparisons need no type translation.
 */
public final class OrtReference implements AutoCloseable {
    /** One output: its ONNX Runtime element type, shape and little-endian bytes. */
    public record Output(String name, OnnxJavaType type, long[] shape, ByteBuffer bytes) {
        public float[] floats() {
            if (type != OnnxJavaType.FLOAT) {
                throw new AssertionError("output '" + name + "' is " + type + ", not FLOAT");
            }
            float[] v = new float[bytes.remaining() / 4];
            bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        }
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OrtReference(Path model) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            session = env.createSession(model.toString(), o);
        }
    }

    public OrtReference(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            session = env.createSession(model, o);
        }
    }

    public List<String> inputNames() {
        return new ArrayList<>(session.getInputNames());
    }

    /** Feeds the arrays in the session's input order; returns outputs in the model's order. */
    public List<Output> run(NDList inputs) throws OrtException {
        List<String> names = inputNames();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                NDArray a = inputs.get(i);
                ByteBuffer src = a.toByteBuffer();
                ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
                direct.put(src.order(ByteOrder.nativeOrder())).flip();
                feeds.put(
                        names.get(i),
                        OnnxTensor.createTensor(env, direct, a.getShape().getShape(), javaType(a.getDataType())));
            }
            List<Output> out = new ArrayList<>();
            try (OrtSession.Result r = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    ByteBuffer b = t.getByteBuffer().order(ByteOrder.nativeOrder());
                    ByteBuffer copy = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(b).flip();
                    out.add(new Output(e.getKey(), t.getInfo().type, t.getInfo().getShape(), copy));
                }
            }
            return out;
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxJavaType javaType(DataType t) {
        switch (t) {
            case FLOAT32:
                return OnnxJavaType.FLOAT;
            case FLOAT16:
                return OnnxJavaType.FLOAT16;
            case FLOAT64:
                return OnnxJavaType.DOUBLE;
            case INT64:
                return OnnxJavaType.INT64;
            case INT32:
                return OnnxJavaType.INT32;
            case INT8:
                return OnnxJavaType.INT8;
            case UINT8:
                return OnnxJavaType.UINT8;
            case BOOLEAN:
                return OnnxJavaType.BOOL;
            default:
                throw new IllegalArgumentException("no ONNX Runtime type for " + t);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
