package dev.mergenet.importers.graph;

import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;

/** A subgraph's initializers, decoded on first use and kept: a Loop body runs many times per step. */
public final class DecodedInitializers {
    private final List<TensorProto> tensors;
    private volatile List<TensorData> decoded;

    DecodedInitializers(List<TensorProto> tensors) {
        this.tensors = tensors;
    }

    List<TensorData> get(String origin) {
        List<TensorData> d = decoded;
        if (d == null) {
            List<TensorData> list = new ArrayList<>(tensors.size());
            for (TensorProto t : tensors) {
                list.add(TensorDecoder.decode(t, origin, null));
            }
            d = List.copyOf(list);
            decoded = d;
        }
        return d;
    }
}
