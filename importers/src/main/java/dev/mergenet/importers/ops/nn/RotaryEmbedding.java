package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim features of each head by per-position angles,
 * (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin), with x1/x2 the two halves (or, interleaved, the even and odd
 * features). cos/sin come per (batch, position) or from caches indexed by position_ids. Input is 4-D
 * (batch, heads, sequence, head size) or 3-D (batch, sequence, heads * head size) with num_heads.
 */
@OnnxOp(type = "RotaryEmbedding", since = 23)
public final class RotaryEmbedding implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        String owner = node.describe();
        boolean interleaved = node.attrs().getInt("interleaved", 0) != 0;
        long headsAttr = node.attrs().getInt("num_heads", 0);
        long rotaryAttr = node.attrs().getInt("rotary_embedding_dim", 0);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            Shape shape = x.getShape();
            NDArray x4;
            if (shape.dimension() == 4) {
                x4 = x;
            } else if (shape.dimension() == 3 && headsAttr > 0 && shape.get(2) % headsAttr == 0) {
                x4 = x.reshape(new Shape(shape.get(0), shape.get(1), headsAttr, shape.get(2) / headsAttr))
                        .transpose(0, 2, 1, 3);
            } else {
                throw new OnnxFormatException(owner + ": input " + shape + " must be 4-D, or 3-D with num_heads");
            }
            long batch = x4.getShape().get(0);
            long seq = x4.getShape().get(2);
            long headSize = x4.getShape().get(3);
            long rotary = rotaryAttr > 0 ? rotaryAttr : headSize;
            long half = rotary / 2;
            NDArray cos = angles(in.get(1), in.optional(3), batch, seq, half);
            NDArray sin = angles(in.get(2), in.optional(3), batch, seq, half);
            cos = cos.reshape(new Shape(batch, 1, seq, half)).toType(x.getDataType(), false);
            sin = sin.reshape(new Shape(batch, 1, seq, half)).toType(x.getDataType(), false);
            NDArray rotate = x4.get(new NDIndex("..., 0:{}", rotary));
            NDArray x1 = rotate.get(interleaved ? new NDIndex("..., 0::2") : new NDIndex("..., 0:{}", half));
            NDArray x2 = rotate.get(interleaved ? new NDIndex("..., 1::2") : new NDIndex("..., {}:", half));
            NDArray out1 = x1.mul(cos).sub(x2.mul(sin));
            NDArray out2 = x2.mul(cos).add(x1.mul(sin));
            NDArray rotated = interleaved
                    ? NDArrays.stack(new NDList(out1, out2), -1).reshape(rotate.getShape())
                    : out1.concat(out2, -1);
            NDArray y = rotary < headSize ? rotated.concat(x4.get(new NDIndex("..., {}:", rotary)), -1) : rotated;
            if (shape.dimension() == 3) {
                y = y.transpose(0, 2, 1, 3).reshape(shape);
            }
            return new NDList(y);
        };
    }

    /** (batch, seq, half) angles: the given tensor, or the cache's rows at position_ids. */
    private static NDArray angles(NDArray cache, NDArray positions, long batch, long seq, long half) {
        if (positions == null) {
            return cache.get(new NDIndex("..., 0:{}", half));
        }
        NDArray rows = cache.get(new NDIndex(":, 0:{}", half));
        NDArray index = positions
                .toType(DataType.INT64, false)
                .reshape(new Shape(batch * seq, 1))
                .broadcast(new Shape(batch * seq, half));
        return rows.gather(index, 0).reshape(new Shape(batch, seq, half));
    }
}
