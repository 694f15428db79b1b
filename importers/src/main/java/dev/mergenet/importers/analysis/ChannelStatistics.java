package dev.mergenet.importers.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-channel mean and (population) variance of one value of a graph, over every sample and position of some
 * batches: what a BatchNormalization inserted after that value needs to start as the identity.
 */
public record ChannelStatistics(double[] mean, double[] variance, long count) {
    public ChannelStatistics {
        if (mean.length != variance.length) {
            throw new IllegalArgumentException("mean and variance have different channel counts");
        }
        mean = mean.clone();
        variance = variance.clone();
    }

    public int channels() {
        return mean.length;
    }

    /**
     * Runs the imported model in inference mode on each batch (one NDList per batch, the graph's inputs in order)
     * with {@code values} exposed as extra outputs, and gathers each value's channel (axis 1) statistics.
     */
    public static Map<String, ChannelStatistics> measure(
            OnnxModel model, List<String> values, NDManager manager, Iterable<NDList> batches) {
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        int first = g.getOutputCount();
        for (String v : values) {
            g.addOutput(ValueInfoProto.newBuilder().setName(v));
        }
        OnnxModel exposed =
                model.withProto(model.proto().toBuilder().setGraph(g).build());
        Map<String, Accumulator> acc = new LinkedHashMap<>();
        values.forEach(v -> acc.put(v, new Accumulator()));
        try (NDManager scope = manager.newSubManager()) {
            OnnxGraphBlock block = OnnxImporter.load(exposed, scope);
            ParameterStore store = new ParameterStore(scope, false);
            for (NDList batch : batches) {
                try (NDManager step = scope.newSubManager()) {
                    NDList out = block.forward(store, batch, false);
                    out.attach(step);
                    for (int k = 0; k < values.size(); k++) {
                        acc.get(values.get(k)).add(out.get(first + k), model.origin(), values.get(k));
                    }
                }
            }
            block.close();
        }
        Map<String, ChannelStatistics> result = new LinkedHashMap<>();
        acc.forEach((v, a) -> {
            if (a.count == 0) {
                throw new MergeNetException(model.origin() + ": no batches to measure '" + v + "' over");
            }
            result.put(v, new ChannelStatistics(a.mean, a.m2Over(), a.count));
        });
        return result;
    }

    /** Chan et al.'s parallel update: each batch's own mean and squared deviations merge into the running ones. */
    private static final class Accumulator {
        double[] mean;
        double[] m2;
        long count;

        void add(NDArray x, String origin, String value) {
            if (x.getShape().dimension() < 2) {
                throw new MergeNetException(
                        origin + ": value '" + value + "' " + x.getShape() + " has no channel axis");
            }
            int channels = (int) x.getShape().get(1);
            long n = x.getShape().size() / channels;
            // channels first, everything else flattened: one reduction axis
            NDArray f = x.toType(DataType.FLOAT64, false).swapAxes(0, 1).reshape(channels, -1);
            NDArray batchMean = f.mean(new int[] {1}, true);
            double[] bMean = batchMean.toDoubleArray();
            NDArray centered = f.sub(batchMean);
            double[] bM2 = centered.mul(centered).sum(new int[] {1}).toDoubleArray();
            if (mean == null) {
                mean = new double[channels];
                m2 = new double[channels];
            } else if (mean.length != channels) {
                throw new MergeNetException(
                        origin + ": value '" + value + "' changed its channel count between batches");
            }
            long total = count + n;
            for (int c = 0; c < channels; c++) {
                double delta = bMean[c] - mean[c];
                mean[c] += delta * n / total;
                m2[c] += bM2[c] + delta * delta * count * n / total;
            }
            count = total;
        }

        double[] m2Over() {
            double[] v = new double[m2.length];
            for (int c = 0; c < v.length; c++) {
                v[c] = m2[c] / count;
            }
            return v;
        }
    }
}
