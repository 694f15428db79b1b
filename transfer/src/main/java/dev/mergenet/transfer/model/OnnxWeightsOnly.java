package dev.mergenet.transfer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A frozen source read for its weights only: float initializers decoded by ONNX name, the graph never compiled
 * or run. A frozen source needs no data and no op support, so any ONNX model (e.g. an OCR recognizer with ops
 * the importer cannot train) can serve as the source.
 */
public final class OnnxWeightsOnly implements TrainableModel {
    private final OnnxModel model;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Set<String> inputMajor;
    private boolean closed;

    public OnnxWeightsOnly(OnnxModel model, NDManager manager) {
        this.model = model;
        GraphProto g = model.proto().getGraph();
        for (TensorProto t : g.getInitializerList()) {
            add(t.getName(), t, manager);
        }
        for (NodeProto n : g.getNodeList()) {
            // weights exported as Constant nodes (e.g. Paddle's linear_*.w_0) count like initializers
            if (n.getOpType().equals("Constant")
                    && n.getOutputCount() == 1
                    && n.getAttributeCount() == 1
                    && n.getAttribute(0).getName().equals("value")
                    && n.getAttribute(0).hasT()) {
                add(n.getOutput(0), n.getAttribute(0).getT(), manager);
            }
        }
        this.inputMajor = OnnxClassifier.inputMajorWeights(g);
    }

    private void add(String name, TensorProto t, NDManager manager) {
        if (OnnxDataTypes.isFloat(t.getDataType()) && t.getDimsCount() >= 2) {
            NDArray a = TensorDecoder.decode(t, model.origin(), model.baseDir()).toNDArray(manager);
            weights.put(name, a.toType(DataType.FLOAT32, false));
        }
    }

    @Override
    public boolean inputMajor(String name) {
        return inputMajor.contains(name);
    }

    @Override
    public String origin() {
        return model.origin();
    }

    @Override
    public Map<String, NDArray> weights() {
        checkOpen();
        return Collections.unmodifiableMap(weights);
    }

    @Override
    public Map<String, NDArray> state() {
        checkOpen();
        return Map.of();
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        checkOpen();
        throw new MergeNetException(model.origin() + ": a frozen source is read for its weights only and never runs");
    }

    @Override
    public boolean outputsProbabilities() {
        return false;
    }

    @Override
    public GraphProto graph() {
        return model.proto().getGraph();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            weights.values().forEach(NDArray::close);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(origin() + ": model used after close()");
        }
    }
}
