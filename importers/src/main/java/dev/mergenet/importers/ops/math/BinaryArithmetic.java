package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Add, Sub, Mul and Div: both inputs share one type, which the output keeps. Integer Div truncates toward
 * zero (C semantics, as ONNX Runtime does) instead of libtorch's true division.
 */
@OnnxOp(
        type = "Add",
        since = {1, 6, 7, 13, 14})
@OnnxOp(
        type = "Sub",
        since = {1, 6, 7, 13, 14})
@OnnxOp(
        type = "Mul",
        since = {1, 6, 7, 13, 14})
@OnnxOp(
        type = "Div",
        since = {1, 6, 7, 13, 14})
public final class BinaryArithmetic implements OpConverter {
    /** Which of the four ops. */
    public enum Kind {
        ADD,
        SUB,
        MUL,
        DIV
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public BinaryArithmetic(String opType) {
        this.kind = switch (opType) {
            case "Add" -> Kind.ADD;
            case "Sub" -> Kind.SUB;
            case "Mul" -> Kind.MUL;
            case "Div" -> Kind.DIV;
            default -> throw new IllegalArgumentException("BinaryArithmetic does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        // a residual connection's sum goes into the branch's output, as torchvision's "out += identity" does
        boolean addInPlace = kind == Kind.ADD && InPlace.overwritable(node);
        return (ctx, in) -> {
            NDArray a = in.get(0);
            NDArray b = Numeric.legacyAlign(node, a, in.get(1));
            DataType type = a.getDataType();
            if (addInPlace
                    && type.isFloating()
                    && b.getDataType() == type
                    && b.getShape().equals(a.getShape())) {
                return new NDList(a.addi(b));
            }
            return new NDList(Numeric.as(apply(kind, a, Numeric.as(b, a.getDataType())), type));
        };
    }

    static NDArray apply(Kind kind, NDArray a, NDArray b) {
        switch (kind) {
            case ADD:
                return a.add(b);
            case SUB:
                return a.sub(b);
            case MUL:
                return a.mul(b);
            default:
                if (a.getDataType().isFloating()) {
                    return a.div(b);
                }
                return a.toType(DataType.FLOAT64, false)
                        .div(b.toType(DataType.FLOAT64, false))
                        .trunc()
                        .toType(a.getDataType(), false);
        }
    }
}
