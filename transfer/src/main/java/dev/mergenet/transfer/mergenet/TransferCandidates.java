package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.transfer.model.OnnxClassifier;
import dev.mergenet.transfer.model.TrainableModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights `--pairs auto` may pair, in the order it prefers them, each with the node that consumes it and the
 * reason for its rank. Target: 1x1-conv / Gemm / MatMul weights whose output feeds a BatchNormalization (the
 * paper's kind of layer; last first), then other Gemm/MatMul weights, then spatial conv kernels (last first), then
 * any other matrix. Source: the Gemm/MatMul weights first (the last is the classifier), then the same order.
 */
public final class TransferCandidates {
    private TransferCandidates() {}

    /** Why a weight ranks where it does. */
    public enum Kind {
        POINTWISE_BEFORE_NORM(
                "1x1/linear -> BN",
                "a pointwise (1x1 conv or linear) weight whose output feeds a"
                        + " BatchNormalization, the kind of layer the MergeNet paper adapts; the last such layer first"),
        LINEAR(
                "linear",
                "a Gemm/MatMul weight; the last one is the classifier, which holds what the model"
                        + " learned about its classes"),
        CONV(
                "conv",
                "a conv kernel whose output feeds no BatchNormalization (none, or folded in by the exporter),"
                        + " seen as [out, in*kh*kw]; the last one first"),
        OTHER("other", "a matrix that no Conv/Gemm/MatMul consumes as its weight");

        private final String label;
        private final String reason;

        Kind(String label, String reason) {
            this.label = label;
            this.reason = reason;
        }

        public String label() {
            return label;
        }

        public String reason() {
            return reason;
        }
    }

    /** One candidate weight: where it is used, how the adapter sees it, and why it ranks where it does. */
    public record Candidate(
            String tensor, String node, String opType, String layerPath, Shape stored, int rows, int cols, Kind kind) {
        /** The kind, with a conv's kernel size: "conv 1x1", "conv 3x3". */
        public String label() {
            if (kind != Kind.CONV || stored.dimension() < 3) {
                return kind.label();
            }
            StringBuilder k = new StringBuilder();
            for (int i = 2; i < stored.dimension(); i++) {
                k.append(i > 2 ? "x" : "").append(stored.get(i));
            }
            return (stored.get(1) == 1 ? "depthwise conv " : "conv ") + k;
        }

        /** e.g. "features.18.0 (Conv '/features/features.18/features.18.0/Conv')". */
        public String where() {
            return layerPath.equals(node) ? opType + " '" + node + "'" : layerPath + " (" + opType + " '" + node + "')";
        }
    }

    /** Weight names in the order `--pairs auto` prefers them: ranked by the graph, or a Java model's matrices last first. */
    public static List<String> names(TrainableModel model, boolean asTarget) {
        if (model.graph() == null) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
                if (e.getValue().getShape().dimension() >= 2) {
                    out.add(0, e.getKey()); // last matrix first
                }
            }
            return out;
        }
        return new ArrayList<>(
                of(model, asTarget).stream().map(Candidate::tensor).toList());
    }

    /** The model's candidates with the node using each and why it ranks where it does (empty without a graph). */
    public static List<Candidate> of(TrainableModel model, boolean asTarget) {
        GraphProto g = model.graph();
        if (g == null) {
            return List.of();
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        model.weights().forEach((name, array) -> shapes.put(name, array.getShape()));
        Set<String> inputMajor = new HashSet<>();
        shapes.keySet().stream().filter(model::inputMajor).forEach(inputMajor::add);
        return rank(g, shapes, inputMajor, asTarget);
    }

    /** Candidates of an ONNX file read without importing it: float initializers and Constant tensors of rank >= 2. */
    public static List<Candidate> of(OnnxModel model, boolean asTarget) {
        GraphProto g = model.proto().getGraph();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            addIfMatrix(shapes, t.getName(), t);
        }
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant")
                    && n.getOutputCount() == 1
                    && n.getAttributeCount() == 1
                    && n.getAttribute(0).getName().equals("value")
                    && n.getAttribute(0).hasT()) {
                addIfMatrix(shapes, n.getOutput(0), n.getAttribute(0).getT());
            }
        }
        return rank(g, shapes, OnnxClassifier.inputMajorWeights(g), asTarget);
    }

    private static void addIfMatrix(Map<String, Shape> shapes, String name, TensorProto t) {
        if (OnnxDataTypes.isFloat(t.getDataType()) && t.getDimsCount() >= 2) {
            shapes.put(
                    name,
                    new Shape(
                            t.getDimsList().stream().mapToLong(Long::longValue).toArray()));
        }
    }

    /**
     * Ranks the matrix weights among {@code weights} (name to stored shape, in the model's order) as `--pairs auto`
     * prefers them.
     */
    public static List<Candidate> rank(
            GraphProto g, Map<String, Shape> weights, Set<String> inputMajor, boolean asTarget) {
        GraphIndex index = new GraphIndex(g);
        List<Candidate> beforeNorm = new ArrayList<>();
        List<Candidate> linear = new ArrayList<>();
        List<Candidate> conv = new ArrayList<>();
        Map<String, Candidate> seen = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            String op = n.getOpType();
            if (!(op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul")) || n.getInputCount() < 2) {
                continue;
            }
            String w = n.getInput(1);
            Shape s = weights.get(w);
            if (s == null || s.dimension() < 2) {
                continue;
            }
            boolean pointwise = !op.equals("Conv") || s.size() / s.get(0) == s.get(1);
            boolean feedsNorm = n.getOutputCount() > 0
                    && index.consumers(n.getOutput(0)).stream()
                            .anyMatch(c -> index.node(c).getOpType().equals("BatchNormalization"));
            Kind kind =
                    feedsNorm && pointwise ? Kind.POINTWISE_BEFORE_NORM : !op.equals("Conv") ? Kind.LINEAR : Kind.CONV;
            Candidate c = candidate(w, n, s, inputMajor, kind);
            seen.put(w, c);
            (kind == Kind.POINTWISE_BEFORE_NORM ? beforeNorm : kind == Kind.LINEAR ? linear : conv).add(0, c);
        }
        List<Candidate> out = new ArrayList<>();
        if (asTarget) {
            out.addAll(beforeNorm);
            out.addAll(linear);
        } else {
            out.addAll(linear);
            out.addAll(beforeNorm);
        }
        out.addAll(conv);
        for (Map.Entry<String, Shape> e : weights.entrySet()) {
            if (e.getValue().dimension() >= 2
                    && out.stream().noneMatch(c -> c.tensor().equals(e.getKey()))) {
                out.add(candidate(e.getKey(), index.firstConsumer(e.getKey()), e.getValue(), inputMajor, Kind.OTHER));
            }
        }
        return out;
    }

    private static Candidate candidate(String tensor, NodeProto node, Shape stored, Set<String> inputMajor, Kind kind) {
        int[] m = MatrixView.matrixShape(tensor, stored, "");
        if (inputMajor.contains(tensor)) {
            m = new int[] {m[1], m[0]};
        }
        String nodeName = node == null ? "-" : node.getName().isEmpty() ? node.getOpType() : node.getName();
        return new Candidate(
                tensor,
                nodeName,
                node == null ? "-" : node.getOpType(),
                layerPath(tensor, nodeName),
                stored,
                m[0],
                m[1],
                kind);
    }

    /**
     * The PyTorch module path when the names carry it ("layer1.0.conv1.weight", or a node scoped
     * "/features/features.1/conv/conv.0/Conv"), else the node's name.
     */
    public static String layerPath(String tensor, String node) {
        if (!tensor.contains("::") && !tensor.contains("/") && tensor.endsWith(".weight")) {
            return tensor.substring(0, tensor.length() - ".weight".length());
        }
        if (node.startsWith("/") && node.indexOf('/', 1) > 0) {
            String[] parts = node.substring(1, node.lastIndexOf('/')).split("/");
            List<String> path = new ArrayList<>();
            for (String p : parts) {
                // torch scopes repeat their parent's name: "conv" then "conv.0" is one module path
                if (!path.isEmpty() && p.startsWith(path.get(path.size() - 1) + ".")) {
                    path.set(path.size() - 1, p);
                } else if (!p.isEmpty()) {
                    path.add(p);
                }
            }
            return path.isEmpty() ? node : String.join(".", path);
        }
        return node;
    }
}
