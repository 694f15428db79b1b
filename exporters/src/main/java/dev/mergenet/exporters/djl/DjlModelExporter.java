package dev.mergenet.exporters.djl;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.builder.OnnxGraphBuilder;
import dev.mergenet.exporters.builder.OnnxOperator;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a DJL model built from standard blocks as a new ONNX graph (inference form: BatchNorm uses its
 * running statistics, Dropout is the identity). Axis 0 of every input and output is the symbolic batch dim.
 * A block without a converter fails with its path in the block tree.
 */
public final class DjlModelExporter {
    public static final long DEFAULT_OPSET = 17;
    public static final String BATCH_DIM = "batch";

    private final Map<Class<? extends Block>, BlockConverter> converters = new LinkedHashMap<>();
    private final long opset;

    public DjlModelExporter() {
        this(DEFAULT_OPSET);
    }

    public DjlModelExporter(long opset) {
        if (opset < 17) {
            throw new IllegalArgumentException("opset " + opset + " is too old: LayerNormalization needs 17");
        }
        this.opset = opset;
        converters.put(SequentialBlock.class, new ContainerConverters.SequentialConverter());
        converters.put(ParallelBlock.class, new ContainerConverters.ParallelConverter());
        converters.put(Linear.class, new LinearConverter());
        converters.put(Convolution.class, new ConvolutionConverter());
        converters.put(BatchNorm.class, new NormalizationConverters.BatchNormConverter());
        converters.put(LayerNorm.class, new NormalizationConverters.LayerNormConverter());
        converters.put(LambdaBlock.class, new LambdaConverter());
        converters.put(
                Dropout.class,
                (ctx, b, path, in, shapes) ->
                        ctx.graph().node(OnnxOperator.DROPOUT, path, List.of(in.get(0)), Map.of()));
    }

    /** Adds or replaces the converter for a block class (subclasses use the nearest registered class). */
    public DjlModelExporter register(Class<? extends Block> type, BlockConverter converter) {
        converters.put(type, converter);
        return this;
    }

    /**
     * Exports an initialized block; {@code inputShapes} are example shapes (axis 0, the batch, becomes
     * symbolic), float32 inputs.
     */
    public ModelProto export(Block block, String graphName, Shape... inputShapes) {
        OnnxGraphBuilder g = new OnnxGraphBuilder(graphName);
        ExportContext ctx = new ExportContext(g, this);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < inputShapes.length; i++) {
            inputs.add(g.input(
                    inputShapes.length == 1 ? "input" : "input_" + i,
                    OnnxDataTypes.toOnnx(DataType.FLOAT32),
                    batchSymbolic(inputShapes[i]),
                    BATCH_DIM));
        }
        List<String> outs = convert(block, block.getClass().getSimpleName(), inputs, inputShapes, ctx);
        Shape[] outShapes = block.getOutputShapes(inputShapes);
        for (int i = 0; i < outs.size(); i++) {
            // stable graph output names, whatever the last block called its value
            String name = g.node(
                            OnnxOperator.IDENTITY,
                            "output_" + i,
                            List.of(outs.get(i)),
                            Map.of(),
                            List.of(outs.size() == 1 ? "output" : "output_" + i))
                    .get(0);
            g.output(name, OnnxDataTypes.toOnnx(DataType.FLOAT32), batchSymbolic(outShapes[i]), BATCH_DIM);
        }
        return g.model(opset, Provenance.PRODUCER, Provenance.VERSION, Map.of());
    }

    private static long[] batchSymbolic(Shape s) {
        long[] dims = s.getShape().clone();
        if (dims.length > 0) {
            dims[0] = -1;
        }
        return dims;
    }

    List<String> convert(Block block, String path, List<String> inputs, Shape[] shapes, ExportContext ctx) {
        BlockConverter c = converterFor(block.getClass());
        if (c == null) {
            throw new MergeNetException(
                    "block '" + path + "' (" + block.getClass().getName() + ") cannot be written"
                            + " to ONNX: no converter for it. Supported: " + supported());
        }
        return c.convert(ctx, block, path, inputs, shapes);
    }

    private BlockConverter converterFor(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            BlockConverter conv = converters.get(c);
            if (conv != null) {
                return conv;
            }
        }
        return null;
    }

    /** Names of the block classes this exporter writes (for messages and docs). */
    public List<String> supported() {
        List<String> names = new ArrayList<>();
        converters.keySet().forEach(k -> names.add(k.getSimpleName()));
        return names;
    }
}
