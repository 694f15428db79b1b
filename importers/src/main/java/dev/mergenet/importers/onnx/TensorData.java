package dev.mergenet.importers.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/** A decoded tensor on the host: little-endian bytes in a direct buffer, its shape and its DJL type. */
public record TensorData(String name, int onnxType, DataType dataType, Shape shape, ByteBuffer bytes) {

    /** Copies the bytes into a new array owned by {@code manager} (on the manager's device). */
    public NDArray toNDArray(NDManager manager) {
        ByteBuffer data = bytes.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        data.rewind();
        NDArray array = manager.create(data, shape, dataType);
        array.setName(name);
        return array;
    }
}
