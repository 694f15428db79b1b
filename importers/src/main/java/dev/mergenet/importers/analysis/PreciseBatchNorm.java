package dev.mergenet.importers.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "Precise BN": recomputes every BatchNormalization's running statistics from the current weights over some
 * training batches, as PyTorch does with {@code reset_running_stats()} and {@code momentum=None} (a cumulative
 * average of each batch's mean and unbiased variance) followed by train-mode forward passes. Running statistics
 * kept by a small momentum (MobileNetV3's 0.01) otherwise lag the weights by hundreds of steps.
 *
 * <p>It runs a twin of the block whose graph also outputs every BatchNormalization's input, with the block's
 * current parameters copied in, in training mode (batch statistics drive the normalization, as in PyTorch).
 */
public final class PreciseBatchNorm implements AutoCloseable {
    private final OnnxGraphBlock block;
    private final OnnxGraphBlock twin;
    private final List<Norm> norms = new ArrayList<>();
    private final int first;

    /** One BatchNormalization: the value it normalizes and its running statistics' parameter names. */
    public record Norm(String node, String input, String mean, String variance) {}

    /** What a recomputation did. */
    public record Result(int norms, int batches, double meanShift) {}

    public PreciseBatchNorm(OnnxGraphBlock block, NDManager manager) {
        this.block = block;
        GraphProto run = block.runGraph();
        for (int i = 0; i < run.getNodeCount(); i++) {
            NodeProto n = run.getNode(i);
            if (n.getOpType().equals("BatchNormalization")
                    && n.getInputCount() >= 5
                    && block.onnxParameters().containsKey(n.getInput(3))
                    && block.onnxParameters().containsKey(n.getInput(4))) {
                norms.add(new Norm(
                        n.getName().isEmpty() ? "BatchNormalization#" + i : n.getName(),
                        n.getInput(0),
                        n.getInput(3),
                        n.getInput(4)));
            }
        }
        OnnxModel model = block.model();
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        first = g.getOutputCount();
        norms.forEach(n -> g.addOutput(ValueInfoProto.newBuilder().setName(n.input())));
        this.twin = norms.isEmpty()
                ? null
                : OnnxImporter.load(
                        model.withProto(model.proto().toBuilder().setGraph(g).build()), manager);
    }

    /** The BatchNormalizations whose statistics a recomputation sets, in graph order. */
    public List<Norm> norms() {
        return List.copyOf(norms);
    }

    /**
     * Sets each running mean and variance to the average over {@code batches} (each one NDList of the graph's
     * inputs) of the batch's per-channel mean and unbiased variance. Returns how far the running means moved
     * (largest absolute change), so the run log can say whether they lagged.
     */
    public Result recompute(Iterable<NDList> batches) {
        if (twin == null) {
            return new Result(0, 0, 0);
        }
        for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
            twin.parameter(e.getKey()).getArray().set(e.getValue().getArray().toByteBuffer());
        }
        double[][] meanSum = new double[norms.size()][];
        double[][] varSum = new double[norms.size()][];
        int count = 0;
        NDManager manager = block.parameter(norms.get(0).mean()).getArray().getManager();
        for (NDList batch : batches) {
            try (NDManager step = manager.newSubManager()) {
                NDList out = twin.forward(new ParameterStore(step, false), batch, true);
                out.attach(step);
                for (int k = 0; k < norms.size(); k++) {
                    double[][] mv = meanAndUnbiasedVariance(out.get(first + k));
                    meanSum[k] = add(meanSum[k], mv[0]);
                    varSum[k] = add(varSum[k], mv[1]);
                }
            }
            count++;
        }
        if (count == 0) {
            return new Result(norms.size(), 0, 0);
        }
        double shift = 0;
        for (int k = 0; k < norms.size(); k++) {
            NDArray mean = block.parameter(norms.get(k).mean()).getArray();
            NDArray var = block.parameter(norms.get(k).variance()).getArray();
            float[] before = mean.toType(DataType.FLOAT32, false).toFloatArray();
            float[] m = scaled(meanSum[k], count);
            for (int c = 0; c < m.length; c++) {
                shift = Math.max(shift, Math.abs(m[c] - before[c]));
            }
            mean.set(toType(mean, m));
            var.set(toType(var, scaled(varSum[k], count)));
        }
        return new Result(norms.size(), count, shift);
    }

    private static Buffer toType(NDArray like, float[] v) {
        try (NDManager tmp = like.getManager().newSubManager()) {
            return tmp.create(v).toType(like.getDataType(), false).toByteBuffer();
        }
    }

    private static double[][] meanAndUnbiasedVariance(NDArray x) {
        int channels = (int) x.getShape().get(1);
        NDArray f = x.toType(DataType.FLOAT64, false).swapAxes(0, 1).reshape(channels, -1);
        long n = f.getShape().get(1);
        NDArray mean = f.mean(new int[] {1}, true);
        NDArray centered = f.sub(mean);
        double[] m2 = centered.mul(centered).sum(new int[] {1}).toDoubleArray();
        double[] var = new double[channels];
        for (int c = 0; c < channels; c++) {
            var[c] = n > 1 ? m2[c] / (n - 1) : m2[c];
        }
        return new double[][] {mean.toDoubleArray(), var};
    }

    private static double[] add(double[] sum, double[] v) {
        if (sum == null) {
            return v.clone();
        }
        for (int i = 0; i < v.length; i++) {
            sum[i] += v[i];
        }
        return sum;
    }

    private static float[] scaled(double[] sum, int count) {
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (sum[i] / count);
        }
        return out;
    }

    @Override
    public void close() {
        if (twin != null) {
            twin.close();
        }
    }
}
