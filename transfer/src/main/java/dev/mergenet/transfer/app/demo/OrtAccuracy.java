package dev.mergenet.transfer.app.demo;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.transfer.data.LabeledData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Accuracy of an exported ONNX classifier measured by ONNX Runtime (independent of the importer). */
public final class OrtAccuracy {
    private OrtAccuracy() {}

    public static double accuracy(Path model, LabeledData data, int batchSize) {
        try (OrtRunner ort = new OrtRunner(model)) {
            String input = ort.inputNames().get(0);
            String output = ort.outputNames().get(0);
            long correct = 0;
            int sample = Math.toIntExact(data.sampleShape().size());
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(from + batchSize, data.size());
                int b = to - from;
                ByteBuffer bytes = ByteBuffer.allocateDirect(b * sample * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = from; i < to; i++) {
                    for (float v : data.sample(i)) {
                        bytes.putFloat(v);
                    }
                }
                bytes.flip();
                long[] dims = new long[data.sampleShape().dimension() + 1];
                dims[0] = b;
                System.arraycopy(data.sampleShape().getShape(), 0, dims, 1, dims.length - 1);
                TensorData in = new TensorData(input, 1, DataType.FLOAT32, new Shape(dims), bytes);
                TensorData out = ort.run(Map.of(input, in)).get(output);
                FloatBuffer scores =
                        out.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                int classes = (int) (out.shape().size() / b);
                for (int i = 0; i < b; i++) {
                    int arg = 0;
                    for (int c = 1; c < classes; c++) {
                        if (scores.get(i * classes + c) > scores.get(i * classes + arg)) {
                            arg = c;
                        }
                    }
                    if (arg == data.label(from + i)) {
                        correct++;
                    }
                }
            }
            return (double) correct / data.size();
        }
    }
}
