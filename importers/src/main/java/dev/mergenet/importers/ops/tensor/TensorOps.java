package dev.mergenet.importers.ops.tensor;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for shape, layout and indexing ops (each with the spec versions it implements). */
public final class TensorOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("Shape", new ShapeOf(), 1, 13, 15, 19, 21);
        r.add("Size", new SizeOf(), 1, 13, 19, 21);
        r.add("Reshape", new Reshape(), 1, 5, 13, 14, 19, 21);
        r.add("Flatten", new Flatten(), 1, 9, 11, 13, 21);
        r.add("Squeeze", new Squeeze(), 1, 11, 13, 21);
        r.add("Unsqueeze", new Unsqueeze(), 1, 11, 13, 21);
        r.add("Transpose", new Transpose(), 1, 13, 21);
        r.add("Concat", new Concat(), 1, 4, 11, 13);
        r.add("Split", new Split(), 1, 2, 11, 13, 18);
        r.add("Slice", new Slice(), 1, 10, 11, 13);
        r.add("Gather", new Gather(), 1, 11, 13);
        r.add("GatherElements", new GatherElements(), 11, 13);
        r.add("GatherND", new GatherNd(), 11, 12, 13);
        r.add("Scatter", new ScatterElements(), 9, 11);
        r.add("ScatterElements", new ScatterElements(), 11, 13, 16, 18);
        r.add("ScatterND", new ScatterNd(), 11, 13, 16, 18);
        r.add("Expand", new Expand(), 8, 13);
        r.add("Tile", new Tile(), 6, 13);
        r.declareUnsupported("Tile", 1);
        r.add("Pad", new Pad(), 1, 2, 11, 13, 18, 19, 21);
        r.add("CenterCropPad", new CenterCropPad(), 18);
        r.add("ConstantOfShape", new ConstantOfShape(), 9, 20, 21);
        r.add("Range", new Range(), 11);
        r.add("OneHot", new OneHot(), 9, 11);
        r.add("NonZero", new NonZero(), 9, 13);
        r.add("TopK", new TopK(), 1, 10, 11);
        r.add("ReverseSequence", new ReverseSequence(), 10);
        r.add("Trilu", new Trilu(), 14);
        r.add("DepthToSpace", new DepthToSpace(true), 1, 11, 13);
        r.add("SpaceToDepth", new DepthToSpace(false), 1, 13);
        r.add("EyeLike", new EyeLike(), 9, 22);
        r.add("Compress", new Compress(), 9, 11);
        r.add("Unique", new Unique(), 11);
        r.add("Resize", new Resize(false), 10, 11, 13, 18, 19);
        r.add("Upsample", new Resize(true), 1, 7, 9, 10);
        r.add("NonMaxSuppression", new NonMaxSuppression(), 10, 11);
    }
}
