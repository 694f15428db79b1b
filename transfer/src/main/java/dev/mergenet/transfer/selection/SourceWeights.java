package dev.mergenet.transfer.selection;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A model's float32 initializers by name, read without importing the model; and a re-initialized copy. */
public final class SourceWeights {
    private SourceWeights() {}

    public static Map<String, HostTensor> read(OnnxModel model) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (TensorProto t : model.proto().getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                TensorData d = TensorDecoder.decode(t, model.origin(), model.baseDir());
                FloatBuffer fb = d.bytes()
                        .duplicate()
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .rewind()
                        .asFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(
                        t.getName(),
                        new HostTensor(
                                t.getDimsList().stream()
                                        .mapToLong(Long::longValue)
                                        .toArray(),
                                v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The same weights with every layer re-initialized as PyTorch initializes a fresh module (the control "selection
     * from a re-initialized copy of the source"): conv and linear weights and biases U(±1/√fan_in), norm scale 1,
     * bias 0, running mean 0, variance 1; other tensors kept. Drawn in graph order from one seeded generator.
     */
    public static Map<String, HostTensor> reinitialized(LayerGraph graph, Map<String, HostTensor> weights, long seed) {
        Map<String, HostTensor> out = new LinkedHashMap<>(weights);
        Random random = new Random(seed);
        for (WeightLayer l : graph.layers()) {
            if (l.weight() != null && weights.containsKey(l.weight())) {
                HostTensor w = weights.get(l.weight());
                long fanIn = HostTensor.elements(w.shape()) / w.shape()[l.outAxis()];
                double bound = 1 / Math.sqrt(fanIn);
                out.put(l.weight(), uniform(w.shape(), bound, random));
                if (l.bias() != null && weights.containsKey(l.bias())) {
                    out.put(l.bias(), uniform(weights.get(l.bias()).shape(), bound, random));
                }
            }
            WeightLayer.Norm n = l.norm();
            if (n != null) {
                put(out, weights, n.scale(), 1f);
                put(out, weights, n.bias(), 0f);
                put(out, weights, n.mean(), 0f);
                put(out, weights, n.var(), 1f);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static void put(Map<String, HostTensor> out, Map<String, HostTensor> weights, String name, float value) {
        if (name != null && weights.containsKey(name)) {
            out.put(name, HostTensor.filled(weights.get(name).shape(), value));
        }
    }

    private static HostTensor uniform(long[] shape, double bound, Random random) {
        float[] v = new float[Math.toIntExact(HostTensor.elements(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return new HostTensor(shape.clone(), v);
    }
}
