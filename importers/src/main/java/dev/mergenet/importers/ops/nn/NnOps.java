package dev.mergenet.importers.ops.nn;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/**
 * Registers the converters for convolution, pooling, normalization and dropout. Version 22 of these ops only
 * added bfloat16 to the allowed types, which the converters handle like any float type.
 */
public final class NnOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("Conv", new Conv(), 1, 11, 22);
        r.add("ConvTranspose", new ConvTranspose(), 1, 11, 22);
        r.add("DeformConv", new DeformConv(), 19, 22);
        r.add("ConvInteger", new ConvInteger(), 10);
        r.add("QLinearConv", new QLinearConv(), 10);
        r.add("MaxPool", new MaxPool(), 1, 8, 10, 11, 12, 22);
        r.add("AveragePool", new AveragePool(), 1, 7, 10, 11, 19, 22);
        r.add("LpPool", new LpPool(), 1, 2, 11, 18, 22);
        r.add("MaxUnpool", new MaxUnpool(), 9, 11, 22);
        r.add("GlobalAveragePool", new GlobalPool(GlobalPool.Kind.AVERAGE), 1, 22);
        r.add("GlobalMaxPool", new GlobalPool(GlobalPool.Kind.MAX), 1, 22);
        r.add("GlobalLpPool", new GlobalPool(GlobalPool.Kind.LP), 1, 2, 22);
        r.add("BatchNormalization", new BatchNormalization(), 1, 6, 7, 9, 14, 15);
        r.add("InstanceNormalization", new InstanceNormalization(), 1, 6, 22);
        r.add("LayerNormalization", new LayerNormalization(), 17);
        r.add("Attention", new Attention(), 23);
        r.add("RotaryEmbedding", new RotaryEmbedding(), 23);
        r.add("GroupNormalization", new GroupNormalization(), 18, 21);
        r.add("RMSNormalization", new RmsNormalization(), 23);
        r.add("LpNormalization", new LpNormalization(), 1, 22);
        r.add("LRN", new Lrn(), 1, 13);
        r.add("MeanVarianceNormalization", new MeanVarianceNormalization(), 1, 9, 13);
        r.add("GridSample", new GridSample(), 16, 20, 22);
        r.add("RoiAlign", new RoiAlign(), 10, 16, 22);
        r.add("MaxRoiPool", new MaxRoiPool(), 1, 22);
        r.add("AffineGrid", new AffineGrid(), 20);
        r.add("Col2Im", new Col2Im(), 18);
        r.add("Dropout", new Dropout(), 1, 6, 7, 10, 12, 13, 22);
    }
}
