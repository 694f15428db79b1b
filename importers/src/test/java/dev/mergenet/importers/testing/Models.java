package dev.mergenet.importers.testing;

import com.google.protobuf.ByteString;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.Arrays;

/** Small ONNX models built in tests (single nodes and short chains), for checks against ONNX Runtime. */
public final class Models {
    private Models() {}

    public static ValueInfoProto value(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(elemType)
                                .setShape(shape)))
                .build();
    }

    /** A value with no declared shape (outputs whose shape the test does not want to spell out). */
    public static ValueInfoProto value(String name, int elemType) {
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)))
                .build();
    }

    public static NodeProto node(String opType, String[] inputs, String[] outputs, AttributeProto... attrs) {
        return NodeProto.newBuilder()
                .setOpType(opType)
                .setName(opType.toLowerCase() + "_0")
                .addAllInput(Arrays.asList(inputs))
                .addAllOutput(Arrays.asList(outputs))
                .addAllAttribute(Arrays.asList(attrs))
                .build();
    }

    public static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    public static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    public static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(v)
                .build();
    }

    public static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v))
                .build();
    }

    public static TensorProto floats(String name, long[] dims, float... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    public static TensorProto longs(String name, long[] dims, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    /** A model around {@code graph} at the given default-domain opset. */
    public static ModelProto model(GraphProto graph, int opset) {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("mergenet-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph)
                .build();
    }

    /** One node whose inputs and outputs are all graph inputs and outputs. */
    public static ModelProto singleNode(NodeProto node, int opset, ValueInfoProto[] inputs, ValueInfoProto[] outputs) {
        GraphProto g = GraphProto.newBuilder()
                .setName(node.getOpType() + "_test")
                .addNode(node)
                .addAllInput(Arrays.asList(inputs))
                .addAllOutput(Arrays.asList(outputs))
                .build();
        return model(g, opset);
    }
}
