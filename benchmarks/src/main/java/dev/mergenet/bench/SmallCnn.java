package dev.mergenet.bench;

import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.Random;

/**
 * The benchmark CNN as ONNX: two conv3x3-ReLU-maxpool2 blocks (1->16->32 channels) and a linear layer to 10
 * classes, for 1x28x28 inputs with a symbolic batch.
 */
final class SmallCnn {
    private SmallCnn() {}

    static ModelProto model(long seed) {
        Random rnd = new Random(seed);
        GraphProto.Builder g = GraphProto.newBuilder().setName("small_cnn");
        g.addInput(input());
        g.addInitializer(randn("conv1.weight", rnd, 16, 1, 3, 3)).addInitializer(randn("conv1.bias", rnd, 16));
        g.addInitializer(randn("conv2.weight", rnd, 32, 16, 3, 3)).addInitializer(randn("conv2.bias", rnd, 32));
        g.addInitializer(randn("fc.weight", rnd, 10, 32 * 7 * 7)).addInitializer(randn("fc.bias", rnd, 10));
        g.addNode(conv("conv1", "x", "c1"))
                .addNode(node("Relu", "relu1", "c1", "r1"))
                .addNode(pool("pool1", "r1", "p1"));
        g.addNode(conv("conv2", "p1", "c2"))
                .addNode(node("Relu", "relu2", "c2", "r2"))
                .addNode(pool("pool2", "r2", "p2"));
        g.addNode(node("Flatten", "flatten", "p2", "f"));
        g.addNode(NodeProto.newBuilder()
                .setOpType("Gemm")
                .setName("fc")
                .addInput("f")
                .addInput("fc.weight")
                .addInput("fc.bias")
                .addOutput("logits")
                .addAttribute(intAttr("transB", 1)));
        g.addOutput(ValueInfoProto.newBuilder()
                .setName("logits")
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))));
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("mergenet-bench")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g)
                .build();
    }

    private static ValueInfoProto input() {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : new long[] {1, 28, 28}) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName("x")
                .setType(TypeProto.newBuilder()
                        .setTensorType(
                                TypeProto.Tensor.newBuilder().setElemType(1).setShape(s)))
                .build();
    }

    private static NodeProto conv(String name, String in, String out) {
        return NodeProto.newBuilder()
                .setOpType("Conv")
                .setName(name)
                .addInput(in)
                .addInput(name + ".weight")
                .addInput(name + ".bias")
                .addOutput(out)
                .addAttribute(ints("kernel_shape", 3, 3))
                .addAttribute(ints("pads", 1, 1, 1, 1))
                .build();
    }

    private static NodeProto pool(String name, String in, String out) {
        return NodeProto.newBuilder()
                .setOpType("MaxPool")
                .setName(name)
                .addInput(in)
                .addOutput(out)
                .addAttribute(ints("kernel_shape", 2, 2))
                .addAttribute(ints("strides", 2, 2))
                .build();
    }

    private static NodeProto node(String op, String name, String in, String out) {
        return NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addInput(in)
                .addOutput(out)
                .build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    private static TensorProto randn(String name, Random rnd, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
        long n = 1;
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        double scale = dims.length > 1 ? Math.sqrt(2.0 / (n / dims[0])) : 0.01;
        for (long i = 0; i < n; i++) {
            t.addFloatData((float) (rnd.nextGaussian() * scale));
        }
        return t.build();
    }
}
