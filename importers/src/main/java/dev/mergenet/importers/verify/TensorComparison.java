package dev.mergenet.importers.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.Float16;
import dev.mergenet.importers.onnx.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Compares an output with a reference: same type and shape, then {@code |out - ref| <= atol + rtol * |ref|} for
 * floats (NaN equals NaN, infinities must match), exact equality for integers and bools. The result also counts
 * non-finite values on each side, so that a caller can refuse them whatever the tolerance
 * ({@link Result#requireFinite()}).
 */
public final class TensorComparison {
    private TensorComparison() {}

    /**
     * Outcome of one comparison. {@code maxRel} is taken only over elements with |ref| >= atol / rtol, where the
     * relative term of the tolerance governs (NaN when there is none): near zero, atol judges and a relative
     * difference says nothing. {@code worstRatio} is the largest |out - ref| / (atol + rtol * |ref|): ok means it is
     * at most 1. The non-finite counts are NaN and infinite values in the output and in the reference. When not ok,
     * {@code reason} is the conformance report's text (its max rel over every non-zero reference, as before) and
     * {@code detail} says where the first difference is.
     */
    public record Result(
            boolean ok,
            double maxAbs,
            double maxRel,
            double worstRatio,
            String reason,
            String detail,
            long nonFiniteActual,
            long nonFiniteExpected) {
        /** This result, failed when either side holds a NaN or an infinity. */
        public Result requireFinite() {
            if (nonFiniteActual == 0 && nonFiniteExpected == 0) {
                return this;
            }
            String why = "non-finite values: " + nonFiniteActual + " in the output, " + nonFiniteExpected
                    + " in the reference";
            return new Result(
                    false,
                    maxAbs,
                    maxRel,
                    worstRatio,
                    ok ? why : why + "; " + reason,
                    ok ? why : why + "; " + detail,
                    nonFiniteActual,
                    nonFiniteExpected);
        }
    }

    /** With a {@link Tolerance}: a scaled atol is multiplied by the reference's largest finite magnitude. */
    public static Result compare(NDArray actual, TensorData expected, Tolerance tol) {
        return compare(HostValues.of(actual), expected, tol);
    }

    public static Result compare(TensorData actual, TensorData expected, Tolerance tol) {
        return compare(HostValues.of(actual), expected, tol);
    }

    private static Result compare(HostValues a, TensorData expected, Tolerance tol) {
        double scale = 0;
        for (double v : HostValues.of(expected).values) {
            if (Double.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        return compare(a, expected, tol.atolFor(scale), tol.rtol());
    }

    public static Result compare(NDArray actual, TensorData expected, double atol, double rtol) {
        return compare(HostValues.of(actual), expected, atol, rtol);
    }

    public static Result compare(TensorData actual, TensorData expected, double atol, double rtol) {
        return compare(HostValues.of(actual), expected, atol, rtol);
    }

    private static Result compare(HostValues a, TensorData expected, double atol, double rtol) {
        HostValues e = HostValues.of(expected);
        long badA = nonFinite(a.values);
        long badE = nonFinite(e.values);
        if (a.type != e.type) {
            String why = "type " + a.type + " != expected " + e.type;
            return new Result(false, Double.NaN, Double.NaN, Double.NaN, why, why, badA, badE);
        }
        if (!a.shape.equals(e.shape)) {
            String why = "shape " + a.shape + " != expected " + e.shape;
            return new Result(false, Double.NaN, Double.NaN, Double.NaN, why, why, badA, badE);
        }
        double maxAbs = 0;
        double maxRel = Double.NaN;
        double anyRel = 0;
        double worst = 0;
        double relFloor = rtol > 0 ? atol / rtol : Double.POSITIVE_INFINITY;
        boolean ok = true;
        int firstBad = -1;
        boolean exact = !a.type.isFloating();
        for (int i = 0; i < a.values.length; i++) {
            double x = a.values[i];
            double r = e.values[i];
            if (Double.isNaN(x) || Double.isNaN(r)) {
                if (Double.isNaN(x) != Double.isNaN(r)) {
                    ok = false;
                    firstBad = firstBad < 0 ? i : firstBad;
                    maxAbs = Double.POSITIVE_INFINITY;
                    worst = Double.POSITIVE_INFINITY;
                }
                continue;
            }
            if (Double.isInfinite(x) || Double.isInfinite(r)) {
                if (x != r) {
                    ok = false;
                    firstBad = firstBad < 0 ? i : firstBad;
                    maxAbs = Double.POSITIVE_INFINITY;
                    worst = Double.POSITIVE_INFINITY;
                }
                continue;
            }
            if (exact && a.exact[i] != e.exact[i]) {
                ok = false;
                firstBad = firstBad < 0 ? i : firstBad;
                maxAbs = Math.max(maxAbs, Math.abs(x - r));
                worst = Double.POSITIVE_INFINITY;
                continue;
            }
            double diff = Math.abs(x - r);
            maxAbs = Math.max(maxAbs, diff);
            if (r != 0) {
                anyRel = Math.max(anyRel, diff / Math.abs(r));
            }
            if (Math.abs(r) >= relFloor && r != 0) {
                maxRel = Double.isNaN(maxRel) ? diff / Math.abs(r) : Math.max(maxRel, diff / Math.abs(r));
            }
            double allowed = exact ? 0 : atol + rtol * Math.abs(r);
            if (diff > 0) {
                worst = Math.max(worst, allowed > 0 ? diff / allowed : Double.POSITIVE_INFINITY);
            }
            if (diff > allowed) {
                ok = false;
                firstBad = firstBad < 0 ? i : firstBad;
            }
        }
        String where = ok
                ? ""
                : String.format("first at flat index %d: %s vs %s", firstBad, a.values[firstBad], e.values[firstBad]);
        String reason = ok ? "" : String.format("max abs diff %.3g, max rel diff %.3g (%s)", maxAbs, anyRel, where);
        return new Result(ok, maxAbs, maxRel, worst, reason, ok ? "" : where, badA, badE);
    }

    private static long nonFinite(double[] values) {
        long n = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                n++;
            }
        }
        return n;
    }

    /** A tensor's values widened to double on the host, with its type and shape. */
    static final class HostValues {
        final DataType type;
        final Shape shape;
        final double[] values;
        final long[] exact;

        private HostValues(DataType type, Shape shape, ByteBuffer bytes) {
            this.type = type;
            this.shape = shape;
            int n = Math.toIntExact(shape.size());
            this.values = widen(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN), type, n);
            this.exact = type.isFloating() ? null : longs(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN), type, n);
        }

        static long[] longs(ByteBuffer b, DataType t, int n) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                switch (t) {
                    case INT64:
                    case UINT64:
                        v[i] = b.getLong();
                        break;
                    case INT32:
                        v[i] = b.getInt();
                        break;
                    case UINT32:
                        v[i] = b.getInt() & 0xffffffffL;
                        break;
                    case INT16:
                        v[i] = b.getShort();
                        break;
                    case UINT16:
                        v[i] = b.getShort() & 0xffff;
                        break;
                    case INT8:
                        v[i] = b.get();
                        break;
                    default:
                        v[i] = b.get() & 0xff;
                }
            }
            return v;
        }

        static HostValues of(NDArray a) {
            DataType t = a.getDataType();
            return new HostValues(t, a.getShape(), a.toByteBuffer());
        }

        static HostValues of(TensorData d) {
            ByteBuffer bytes = d.bytes().duplicate();
            bytes.rewind();
            return new HostValues(d.dataType(), d.shape(), bytes);
        }

        static double[] widen(ByteBuffer b, DataType t, int n) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                switch (t) {
                    case FLOAT32:
                        v[i] = b.getFloat();
                        break;
                    case FLOAT64:
                        v[i] = b.getDouble();
                        break;
                    case FLOAT16:
                        v[i] = Float16.toFloat(b.getShort());
                        break;
                    case BFLOAT16:
                        v[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                        break;
                    case INT8:
                        v[i] = b.get();
                        break;
                    case UINT8:
                    case BOOLEAN:
                        v[i] = b.get() & 0xff;
                        break;
                    case INT16:
                        v[i] = b.getShort();
                        break;
                    case UINT16:
                        v[i] = b.getShort() & 0xffff;
                        break;
                    case INT32:
                        v[i] = b.getInt();
                        break;
                    case UINT32:
                        v[i] = b.getInt() & 0xffffffffL;
                        break;
                    case INT64:
                        v[i] = b.getLong();
                        break;
                    case UINT64:
                        v[i] = unsigned(b.getLong());
                        break;
                    default:
                        throw new IllegalArgumentException("cannot compare type " + t);
                }
            }
            return v;
        }

        private static double unsigned(long x) {
            return x >= 0 ? x : (double) (x >>> 1) * 2.0 + (x & 1);
        }
    }
}
