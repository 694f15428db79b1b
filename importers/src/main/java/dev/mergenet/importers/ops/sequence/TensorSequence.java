package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrayAdapter;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * An ONNX sequence value inside a running graph: an immutable list of tensors, carried through the graph's
 * value table like an array. It holds no data of its own; element arrays are owned by the step's manager.
 */
public final class TensorSequence extends NDArrayAdapter {
    private final List<NDArray> items;

    public TensorSequence(NDManager manager, List<NDArray> items, DataType elementType) {
        super(
                manager,
                manager,
                new Shape(items.size()),
                elementType,
                UUID.randomUUID().toString());
        this.items = List.copyOf(items);
        manager.attachInternal(uid, this);
    }

    /** The tensors, in order. */
    public List<NDArray> items() {
        return items;
    }

    public int length() {
        return items.size();
    }

    /** Element type (the sequence's declared type when it is empty). */
    public DataType elementType() {
        return dataType;
    }

    @Override
    public void intern(NDArray replaced) {
        throw new UnsupportedOperationException("a sequence cannot intern an array");
    }

    @Override
    public ByteBuffer toByteBuffer(boolean tryDirect) {
        throw new UnsupportedOperationException("a sequence has no single buffer; read its items");
    }

    @Override
    public void detach() {
        manager.detachInternal(uid);
    }

    @Override
    public String toString() {
        return "TensorSequence(" + items.size() + " x " + dataType + ")";
    }
}
