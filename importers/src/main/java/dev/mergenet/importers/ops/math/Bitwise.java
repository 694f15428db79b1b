package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * BitShift and BitwiseAnd/Or/Xor/Not on integer tensors. The engine API has no bit operations, so these
 * integer-only (never differentiable) ops compute on the host with Java longs and return to the device.
 */
@OnnxOp(type = "BitShift", since = 11)
@OnnxOp(type = "BitwiseAnd", since = 18)
@OnnxOp(type = "BitwiseOr", since = 18)
@OnnxOp(type = "BitwiseXor", since = 18)
@OnnxOp(type = "BitwiseNot", since = 18)
public final class Bitwise implements OpConverter {
    /** Which op. */
    public enum Kind {
        AND,
        OR,
        XOR,
        NOT,
        SHIFT
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Bitwise(String opType) {
        this.kind = switch (opType) {
            case "BitShift" -> Kind.SHIFT;
            case "BitwiseAnd" -> Kind.AND;
            case "BitwiseOr" -> Kind.OR;
            case "BitwiseXor" -> Kind.XOR;
            case "BitwiseNot" -> Kind.NOT;
            default -> throw new IllegalArgumentException("Bitwise does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean left;
        if (kind == Kind.SHIFT) {
            String dir = node.attrs().getString("direction", "");
            if (!dir.equals("LEFT") && !dir.equals("RIGHT")) {
                throw new MergeNetException(node.describe() + ": direction must be LEFT or RIGHT, got '" + dir + "'");
            }
            left = dir.equals("LEFT");
        } else {
            left = false;
        }
        return (ctx, in) -> {
            NDArray a = in.get(0);
            DataType type = a.getDataType();
            if (!type.isInteger()) {
                throw new MergeNetException(node.describe() + ": needs integer inputs, got " + type);
            }
            int bits = bits(type);
            boolean unsigned = type == DataType.UINT8;
            NDArray[] ab = kind == Kind.NOT ? new NDArray[] {a} : Numeric.broadcastAll(node, a, in.get(1));
            long[] x = hostLongs(ab[0]);
            long[] y = kind == Kind.NOT ? null : hostLongs(ab[1]);
            long[] r = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                long v;
                switch (kind) {
                    case AND:
                        v = x[i] & y[i];
                        break;
                    case OR:
                        v = x[i] | y[i];
                        break;
                    case XOR:
                        v = x[i] ^ y[i];
                        break;
                    case NOT:
                        v = ~x[i];
                        break;
                    default:
                        if (y[i] >= bits || y[i] < 0) {
                            v = left || unsigned || x[i] >= 0 ? 0 : -1;
                        } else if (left) {
                            v = x[i] << y[i];
                        } else {
                            v = unsigned ? (x[i] & mask(bits)) >>> y[i] : x[i] >> y[i];
                        }
                }
                r[i] = wrap(v, bits, unsigned);
            }
            NDArray out = ctx.manager().create(r, ab[0].getShape());
            return new NDList(Numeric.as(out, type));
        };
    }

    private static long[] hostLongs(NDArray a) {
        return a.getDataType() == DataType.INT64
                ? a.toLongArray()
                : a.toType(DataType.INT64, false).toLongArray();
    }

    private static int bits(DataType t) {
        switch (t) {
            case UINT8:
            case INT8:
                return 8;
            case UINT16:
            case INT16:
                return 16;
            case UINT32:
            case INT32:
                return 32;
            default:
                return 64;
        }
    }

    private static long mask(int bits) {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    /** The value as the target type would hold it, widened back to a long (sign-extended when signed). */
    private static long wrap(long v, int bits, boolean unsigned) {
        if (bits == 64) {
            return v;
        }
        long m = v & mask(bits);
        if (!unsigned && (m & (1L << (bits - 1))) != 0) {
            m |= ~mask(bits);
        }
        return m;
    }
}
