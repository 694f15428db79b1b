package dev.mergenet.importers.edit;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Replaces a classifier's last fully connected layer (Gemm, MatMul followed by a bias Add, or a 1x1 Conv before
 * global pooling as in SqueezeNet) with a fresh one for another number of classes. New weights get unique names and PyTorch's Linear initialisation
 * (uniform in +-1/sqrt(fan_in), seeded); the old ones are removed when nothing else reads them. Declared
 * output shapes downstream get the new class count; symbolic dims stay symbolic.
 */
public final class ClassifierHead {
    private ClassifierHead() {}

    /**
     * Where the head was found and what replaced it.
     *
     * @param model the edited model
     * @param node the name of the head's node (Gemm, MatMul or Conv)
     * @param oldClasses the class count of the old head
     * @param newClasses the class count of the new head
     * @param features the head's input width
     * @param weight the name of the new weight tensor
     * @param bias the name of the new bias tensor, or null when the old head had none
     */
    public record Replaced(
            OnnxModel model, String node, int oldClasses, int newClasses, long features, String weight, String bias) {}

    /**
     * Replaces the last fully connected layer with a fresh one.
     *
     * @param model the classifier, as read
     * @param numClasses the new class count (at least 1)
     * @param seed the seed of the new weights (the same seed gives the same weights)
     * @return the edited model and what was replaced
     * @throws MergeNetException if there is no head to replace or a fixed Reshape after it names the class count
     */
    public static Replaced replace(OnnxModel model, int numClasses, long seed) {
        if (numClasses < 1) {
            throw new MergeNetException(model.origin() + ": number of classes must be at least 1, got " + numClasses);
        }
        GraphProto g = model.proto().getGraph();
        GraphIndex idx = new GraphIndex(g);
        int headAt = -1;
        for (int i = g.getNodeCount() - 1; i >= 0 && headAt < 0; i--) {
            NodeProto n = g.getNode(i);
            if ((n.getOpType().equals("Gemm") || n.getOpType().equals("MatMul")) && n.getInputCount() >= 2) {
                TensorProto w = idx.constant(n.getInput(1));
                if (w != null && w.getDimsCount() == 2 && w.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                    headAt = i;
                }
            } else if (isConvClassifier(n, idx)) {
                headAt = i;
            }
        }
        if (headAt < 0) {
            throw new MergeNetException(model.origin() + ": no Gemm or MatMul with a 2-D float weight, nor a 1x1 Conv"
                    + " before global pooling, found; cannot replace the classifier head");
        }
        NodeProto head = g.getNode(headAt);
        TensorProto oldWeight = idx.constant(head.getInput(1));
        boolean conv = head.getOpType().equals("Conv");
        boolean gemm = head.getOpType().equals("Gemm");
        boolean transB = conv || (gemm && intAttr(head, "transB") == 1);
        long features = transB ? oldWeight.getDims(1) : oldWeight.getDims(0);
        long oldOut = transB ? oldWeight.getDims(0) : oldWeight.getDims(1);
        checkNoFixedReshape(head, idx, model, oldOut);

        // the bias: Gemm's C, or the constant operand of the Add that alone reads the MatMul's output
        int biasNode = -1;
        int biasSlot = -1;
        if ((gemm || conv) && head.getInputCount() >= 3 && isBias(idx.constant(head.getInput(2)), oldOut)) {
            biasNode = headAt;
            biasSlot = 2;
        } else if (!gemm && !conv && idx.consumerCount(head.getOutput(0)) == 1) {
            int c = idx.consumers(head.getOutput(0)).get(0);
            NodeProto add = g.getNode(c);
            if (add.getOpType().equals("Add") && add.getInputCount() == 2) {
                int slot = add.getInput(0).equals(head.getOutput(0)) ? 1 : 0;
                if (isBias(idx.constant(add.getInput(slot)), oldOut)) {
                    biasNode = c;
                    biasSlot = slot;
                }
            }
        }
        String base = head.getName().isEmpty() ? "mergenet_head" : head.getName() + ".mergenet_head";
        String weightName = idx.fresh(base + ".weight");
        long[] dims = conv
                ? new long[] {numClasses, features, 1, 1}
                : transB ? new long[] {numClasses, features} : new long[] {features, numClasses};
        GraphProto.Builder gb = g.toBuilder();
        List<String> dropped = new ArrayList<>();
        gb.setNode(headAt, head.toBuilder().setInput(1, weightName).build());
        dropped.add(head.getInput(1));
        gb.addInitializer(
                FloatTensors.of(weightName, dims, uniform(numClasses * features, features, new Random(seed))));
        String biasName = null;
        if (biasNode >= 0) {
            NodeProto bn = gb.getNode(biasNode);
            String oldBias = bn.getInput(biasSlot);
            biasName = idx.fresh(base + ".bias");
            TensorProto ob = idx.constant(oldBias);
            long[] bdims = ob.getDimsCount() == 2 ? new long[] {1, numClasses} : new long[] {numClasses};
            gb.setNode(biasNode, bn.toBuilder().setInput(biasSlot, biasName).build());
            dropped.add(oldBias);
            gb.addInitializer(FloatTensors.of(biasName, bdims, new float[numClasses]));
        }
        removeUnused(gb, idx, dropped);
        Set<String> after = idx.downstream(head.getOutput(0));
        // value_info below the head describes the old class count; let tools infer it again
        List<ValueInfoProto> keep = new ArrayList<>();
        for (ValueInfoProto v : gb.getValueInfoList()) {
            if (!after.contains(v.getName())) {
                keep.add(v);
            }
        }
        gb.clearValueInfo().addAllValueInfo(keep);
        for (int i = 0; i < gb.getOutputCount(); i++) {
            ValueInfoProto out = gb.getOutput(i);
            if (after.contains(out.getName())) {
                gb.setOutput(i, withLastDim(out, oldOut, numClasses));
            }
        }
        OnnxModel edited =
                model.withProto(model.proto().toBuilder().setGraph(gb).build());
        return new Replaced(edited, head.getName(), (int) oldOut, numClasses, features, weightName, biasName);
    }

    /** Ops between a conv classifier and the outputs that keep the class axis as it is. */
    private static final Set<String> CLASS_PRESERVING = Set.of(
            "Relu",
            "LeakyRelu",
            "Sigmoid",
            "Clip",
            "Dropout",
            "Identity",
            "GlobalAveragePool",
            "GlobalMaxPool",
            "AveragePool",
            "MaxPool",
            "ReduceMean",
            "ReduceMax",
            "Flatten",
            "Squeeze",
            "Reshape",
            "Softmax",
            "LogSoftmax",
            "Shape",
            "Gather",
            "Unsqueeze",
            "Concat",
            "Cast");

    /**
     * A 1x1, ungrouped Conv with a float weight whose output reaches the graph outputs only through activations,
     * pooling and reshapes, including a global pooling (SqueezeNet's classifier: Conv, ReLU, global average pool).
     */
    private static boolean isConvClassifier(NodeProto n, GraphIndex idx) {
        if (!n.getOpType().equals("Conv") || n.getInputCount() < 2 || intAttr(n, "group") > 1) {
            return false;
        }
        TensorProto w = idx.constant(n.getInput(1));
        if (w == null
                || w.getDimsCount() != 4
                || w.getDims(2) != 1
                || w.getDims(3) != 1
                || w.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return false;
        }
        boolean pooled = false;
        for (String v : idx.downstream(n.getOutput(0))) {
            for (int c : idx.consumers(v)) {
                String op = idx.node(c).getOpType();
                if (!CLASS_PRESERVING.contains(op)) {
                    return false;
                }
                pooled |= op.startsWith("Global") || op.startsWith("Reduce");
            }
        }
        return pooled;
    }

    /** A Reshape to a constant shape naming the old class count would break after re-heading: say so. */
    private static void checkNoFixedReshape(NodeProto head, GraphIndex idx, OnnxModel model, long oldOut) {
        for (String v : idx.downstream(head.getOutput(0))) {
            for (int c : idx.consumers(v)) {
                NodeProto n = idx.node(c);
                TensorProto shape =
                        n.getOpType().equals("Reshape") && n.getInputCount() > 1 ? idx.constant(n.getInput(1)) : null;
                if (shape != null
                        && shape.getDataType() == TensorProto.DataType.INT64_VALUE
                        && longs(shape).contains(oldOut)) {
                    throw new MergeNetException(model.origin() + ": Reshape '" + n.getName() + "' after the"
                            + " classifier '" + head.getName() + "' has the constant shape " + longs(shape)
                            + " naming its " + oldOut + " classes; re-heading it is not supported");
                }
            }
        }
    }

    private static List<Long> longs(TensorProto t) {
        LongBuffer b = TensorDecoder.decode(t, "shape", null)
                .bytes()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asLongBuffer();
        List<Long> out = new ArrayList<>();
        while (b.hasRemaining()) {
            out.add(b.get());
        }
        return out;
    }

    private static boolean isBias(TensorProto t, long out) {
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return false;
        }
        return (t.getDimsCount() == 1 && t.getDims(0) == out)
                || (t.getDimsCount() == 2 && t.getDims(0) == 1 && t.getDims(1) == out);
    }

    private static long intAttr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return 0;
    }

    /** Drops the old weight tensors (initializer or Constant node) that nothing reads any more. */
    private static void removeUnused(GraphProto.Builder gb, GraphIndex idx, List<String> values) {
        for (String v : values) {
            if (idx.consumerCount(v) > 1) {
                continue;
            }
            for (int i = 0; i < gb.getInitializerCount(); i++) {
                if (gb.getInitializer(i).getName().equals(v)) {
                    gb.removeInitializer(i);
                    break;
                }
            }
            int p = idx.producer(v);
            if (p >= 0
                    && gb.getNode(p).getOpType().equals("Constant")
                    && gb.getNode(p).getOutput(0).equals(v)) {
                // mark for removal by replacing with a placeholder, removed below to keep indices stable
                gb.setNode(p, NodeProto.newBuilder().setOpType("__removed__").build());
            }
            for (int i = 0; i < gb.getInputCount(); i++) {
                if (gb.getInput(i).getName().equals(v)) {
                    gb.removeInput(i);
                    break;
                }
            }
        }
        for (int i = gb.getNodeCount() - 1; i >= 0; i--) {
            if (gb.getNode(i).getOpType().equals("__removed__")) {
                gb.removeNode(i);
            }
        }
    }

    private static ValueInfoProto withLastDim(ValueInfoProto v, long oldValue, long newValue) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return v;
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        int last = shape.getDimCount() - 1;
        if (last < 0 || !shape.getDim(last).hasDimValue() || shape.getDim(last).getDimValue() != oldValue) {
            return v;
        }
        ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder()
                .getTensorTypeBuilder()
                .getShapeBuilder()
                .getDimBuilder(last)
                .setDimValue(newValue);
        return b.build();
    }

    private static float[] uniform(long count, long fanIn, Random random) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        float[] v = new float[Math.toIntExact(count)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return v;
    }
}
