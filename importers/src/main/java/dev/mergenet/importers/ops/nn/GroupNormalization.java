package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * GroupNormalization: the channels are split into num_groups groups, each normalized over its channels and
 * spatial positions. Version 18 scales and shifts per group; version 21 per channel (and adds stash_type).
 */
@OnnxOp(
        type = "GroupNormalization",
        since = {18, 21})
public final class GroupNormalization implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        float epsilon = node.attrs().getFloat("epsilon", 1e-5f);
        long groups = node.attrs().requireInt("num_groups");
        boolean perChannel = node.sinceVersion() >= 21;
        boolean stashFloat = node.attrs().getInt("stash_type", 1) == 1;
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            Shape shape = x.getShape();
            long channels = shape.get(1);
            if (groups <= 0 || channels % groups != 0) {
                throw new OnnxFormatException(
                        owner + ": " + channels + " channels do not split into " + groups + " groups");
            }
            DataType type = x.getDataType();
            boolean widen = stashFloat && (type == DataType.FLOAT16 || type == DataType.BFLOAT16);
            NDArray xs = widen ? x.toType(DataType.FLOAT32, false) : x;
            NDArray grouped = xs.reshape(new Shape(shape.get(0), groups, -1));
            NDArray centered = grouped.sub(grouped.mean(new int[] {2}, true));
            NDArray var = centered.mul(centered).mean(new int[] {2}, true);
            NDArray normalized = centered.div(var.add(epsilon).sqrt()).reshape(shape);
            if (widen) {
                normalized = normalized.toType(type, false);
            }
            long[] view = new long[shape.dimension()];
            Arrays.fill(view, 1);
            view[1] = channels;
            NDArray scale = in.get(1);
            NDArray bias = in.get(2);
            if (!perChannel) {
                // Version 18: one value per group, shared by the group's channels.
                scale = scale.reshape(groups, 1).repeat(1, channels / groups).reshape(channels);
                bias = bias.reshape(groups, 1).repeat(1, channels / groups).reshape(channels);
            }
            return new NDList(normalized.mul(scale.reshape(new Shape(view))).add(bias.reshape(new Shape(view))));
        };
    }
}
