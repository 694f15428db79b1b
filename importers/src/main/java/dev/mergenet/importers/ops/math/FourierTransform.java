package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * DFT (opset 17) and STFT. ONNX stores complex values as a trailing dimension of 1 (real) or 2 (real,
 * imaginary). The transform is a product with cosine and sine matrices built on the device, so it is
 * differentiable and needs no complex tensor type.
 */
@OnnxOp(type = "DFT", since = 17, unsupported = 20)
@OnnxOp(type = "STFT", since = 17)
public final class FourierTransform implements OpConverter {
    private final boolean shortTime;

    /** The converter for {@code opType}: STFT or DFT. */
    public FourierTransform(String opType) {
        if (!opType.equals("STFT") && !opType.equals("DFT")) {
            throw new IllegalArgumentException("FourierTransform does not implement " + opType);
        }
        this.shortTime = opType.equals("STFT");
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        if (shortTime) {
            boolean onesided = node.attrs().getInt("onesided", 1) != 0;
            return (ctx, in) -> new NDList(stft(
                    node, in.get(0), in.scalarLong(1), in.optional(2), in.has(3) ? in.scalarLong(3) : -1, onesided));
        }
        long axisAttr = node.attrs().getInt("axis", 1);
        boolean inverse = node.attrs().getInt("inverse", 0) != 0;
        boolean onesided = node.attrs().getInt("onesided", 0) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int axis = Numeric.axis(node, axisAttr, rank);
            if (axis == rank - 1) {
                throw new MergeNetException(node.describe() + ": axis " + axisAttr + " must name a signal dimension");
            }
            long length = in.has(1) ? in.scalarLong(1) : x.getShape().get(axis);
            return new NDList(transform(node, x, axis, length, inverse, onesided));
        };
    }

    private static NDArray stft(
            OnnxNode node, NDArray signal, long step, NDArray window, long frameLength, boolean onesided) {
        long length = window != null ? window.getShape().get(0) : frameLength;
        if (length <= 0 || step <= 0) {
            throw new MergeNetException(node.describe() + ": needs a window or frame_length and a positive frame_step");
        }
        long signalLength = signal.getShape().get(1);
        long frames = 1 + (signalLength - length) / step;
        NDList pieces = new NDList();
        for (long f = 0; f < frames; f++) {
            pieces.add(signal.get(new NDIndex(":, {}:{}", f * step, f * step + length))
                    .expandDims(1));
        }
        NDArray framed = NDArrays.concat(pieces, 1);
        if (window != null) {
            framed = framed.mul(Numeric.as(window, signal.getDataType()).reshape(1, 1, length, 1));
        }
        return transform(node, framed, 2, length, false, onesided);
    }

    /** The DFT of {@code x} (complex trailing dimension) along {@code axis}, at {@code length} points. */
    static NDArray transform(OnnxNode node, NDArray x, int axis, long length, boolean inverse, boolean onesided) {
        int rank = x.getShape().dimension();
        long parts = x.getShape().get(rank - 1);
        if (parts != 1 && parts != 2) {
            throw new MergeNetException(
                    node.describe() + ": the last dimension must be 1 (real) or 2 (complex), got " + x.getShape());
        }
        if (length < 1) {
            throw new MergeNetException(node.describe() + ": dft_length " + length + " must be positive");
        }
        long[] padded = x.getShape().getShape().clone();
        padded[axis] = length;
        MemoryBudget.check(node.describe() + ": signal at dft_length " + length, padded, x.getDataType());
        MemoryBudget.check(
                node.describe() + ": DFT basis at dft_length " + length,
                new long[] {2, length, onesided ? length / 2 + 1 : length},
                x.getDataType());
        int signalAxis = axis;
        int last = rank - 2;
        NDArray re = x.get(new NDIndex("..., 0")).swapAxes(signalAxis, last);
        NDArray im = parts == 2 ? x.get(new NDIndex("..., 1")).swapAxes(signalAxis, last) : null;
        re = fit(re, length);
        im = im == null ? null : fit(im, length);
        long bins = onesided ? length / 2 + 1 : length;
        NDArray[] cs = basis(x.getManager(), length, bins, x.getDataType());
        NDArray outRe;
        NDArray outIm;
        double sign = inverse ? -1 : 1;
        if (im == null) {
            outRe = re.matMul(cs[0]);
            outIm = ScalarMath.mul(re.matMul(cs[1]), -sign);
        } else {
            outRe = re.matMul(cs[0]).add(ScalarMath.mul(im.matMul(cs[1]), sign));
            outIm = im.matMul(cs[0]).sub(ScalarMath.mul(re.matMul(cs[1]), sign));
        }
        if (inverse) {
            NDArray n = Numeric.scalar(x.getManager(), length, x.getDataType());
            outRe = outRe.div(n);
            outIm = outIm.div(n);
        }
        return outRe.swapAxes(signalAxis, last)
                .expandDims(-1)
                .concat(outIm.swapAxes(signalAxis, last).expandDims(-1), -1);
    }

    /** Truncates or zero-pads the last dimension to {@code length}. */
    private static NDArray fit(NDArray a, long length) {
        Shape s = a.getShape();
        long n = s.get(s.dimension() - 1);
        if (n == length) {
            return a;
        }
        if (n > length) {
            return a.get(new NDIndex("..., :{}", length));
        }
        long[] pad = s.getShape();
        pad[pad.length - 1] = length - n;
        return a.concat(a.getManager().zeros(new Shape(pad), a.getDataType()), -1);
    }

    /** cos and sin of 2 pi n k / N for n < N, k < bins, reduced mod N in integers first for accuracy. */
    private static NDArray[] basis(NDManager m, long length, long bins, DataType type) {
        NDArray n = m.arange(0f, (float) length, 1f, DataType.INT64).reshape(length, 1);
        NDArray k = m.arange(0f, (float) bins, 1f, DataType.INT64).reshape(1, bins);
        NDArray angle = ScalarMath.mul(n.mul(k).mod(length).toType(DataType.FLOAT64, false), 2 * Math.PI / length);
        return new NDArray[] {angle.cos().toType(type, false), angle.sin().toType(type, false)};
    }
}
