package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * MelWeightMatrix: triangular filters on the mel scale, mel(f) = 2595 log10(1 + f / 700), as a
 * (dft_length / 2 + 1, num_mel_bins) matrix. Its inputs are scalars, so it is built on the host.
 */
@OnnxOp(type = "MelWeightMatrix", since = 17)
public final class MelWeightMatrix implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        int dt = (int) node.attrs().getInt("output_datatype", 1);
        DataType out = OnnxDataTypes.toDjl(dt);
        if (out == null) {
            throw new MergeNetException(node.describe() + ": unsupported output_datatype " + OnnxDataTypes.name(dt));
        }
        return (ctx, in) -> {
            long melCount = in.scalarLong(0);
            long dftLength = in.scalarLong(1);
            if (melCount < 0 || dftLength < 1) {
                throw new MergeNetException(node.describe() + ": num_mel_bins " + melCount + " and dft_length "
                        + dftLength + " must be non-negative and positive");
            }
            MemoryBudget.check(
                    node.describe() + ": output for num_mel_bins and dft_length",
                    new long[] {dftLength / 2 + 1, melCount},
                    Double.BYTES);
            int melBins = (int) melCount;
            long sampleRate = in.scalarLong(2);
            double lowHz = in.scalarDouble(3);
            double highHz = in.scalarDouble(4);
            int spectrumBins = (int) (dftLength / 2 + 1);
            double lowMel = 2595 * Math.log10(1 + lowHz / 700);
            double highMel = 2595 * Math.log10(1 + highHz / 700);
            // the reference divides the mel range by the number of edges (bins + 2), not by the gaps
            double melStep = (highMel - lowMel) / (melBins + 2);
            int[] edge = new int[melBins + 2];
            for (int i = 0; i < edge.length; i++) {
                double hz = 700 * (Math.pow(10, (i * melStep + lowMel) / 2595) - 1);
                edge[i] = (int) Math.floor((dftLength + 1) * hz / sampleRate);
            }
            double[] w = new double[spectrumBins * melBins];
            for (int i = 0; i < melBins; i++) {
                int lo = edge[i];
                int center = edge[i + 1];
                int hi = edge[i + 2];
                if (center == lo) {
                    set(node, w, center, i, melBins, spectrumBins, 1);
                } else {
                    for (int j = lo; j <= center; j++) {
                        set(node, w, j, i, melBins, spectrumBins, (double) (j - lo) / (center - lo));
                    }
                }
                for (int j = center; j < hi; j++) {
                    set(node, w, j, i, melBins, spectrumBins, (double) (hi - j) / (hi - center));
                }
            }
            return new NDList(
                    ctx.manager().create(w, new Shape(spectrumBins, melBins)).toType(out, false));
        };
    }

    private static void set(OnnxNode node, double[] w, int row, int col, int cols, int rows, double v) {
        if (row < 0 || row >= rows) {
            throw new MergeNetException(node.describe() + ": the mel band edges fall outside the " + rows
                    + " spectrum bins (check the hertz range against sample_rate and dft_length)");
        }
        w[row * cols + col] = v;
    }
}
