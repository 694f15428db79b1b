package dev.mergenet.exporters.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import dev.mergenet.exporters.builder.OnnxOperator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DJL Conv1d/Conv2d/Conv3d: Conv with symmetric pads, strides, dilations and groups. */
final class ConvolutionConverter implements BlockConverter {
    @Override
    public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
        Convolution conv = (Convolution) block;
        List<String> in = new ArrayList<>(List.of(
                inputs.get(0),
                ctx.graph().initializer(path + ".weight", ExportContext.parameter(block, path, "weight"))));
        if (conv.isIncludeBias()) {
            in.add(ctx.graph().initializer(path + ".bias", ExportContext.parameter(block, path, "bias")));
        }
        long[] pad = conv.getPadding().getShape();
        long[] pads = new long[pad.length * 2];
        for (int i = 0; i < pad.length; i++) {
            pads[i] = pad[i];
            pads[i + pad.length] = pad[i];
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("kernel_shape", conv.getKernelShape().getShape());
        attrs.put("strides", conv.getStride().getShape());
        attrs.put("pads", pads);
        attrs.put("dilations", conv.getDilation().getShape());
        attrs.put("group", (long) conv.getGroups());
        return ctx.graph().node(OnnxOperator.CONV, path, in, attrs);
    }
}
