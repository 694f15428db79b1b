package dev.mergenet.exporters.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.onnxruntime.OnnxJavaType;
import dev.mergenet.exporters.djl.DjlModelExporter;
import dev.mergenet.exporters.djl.ExportableBlocks;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.OrtAgreement;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** fp16 files: float16 weights, float32 inputs and outputs, ONNX Runtime within 1e-2 relative of fp32. */
class Float16ConversionTest {
    @Test
    void cnnInFp16StaysWithinOnePercentOfFp32() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            m.getEngine().setRandomSeed(5);
            SequentialBlock cnn = new SequentialBlock()
                    .add(Conv2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .setFilters(8)
                            .optPadding(new Shape(1, 1))
                            .build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(ExportableBlocks.maxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                    .add(Pool.globalAvgPool2dBlock())
                    .add(Linear.builder().setUnits(5).build());
            cnn.initialize(m, DataType.FLOAT32, new Shape(2, 3, 16, 16));
            ModelProto fp32 = new DjlModelExporter().export(cnn, "cnn", new Shape(2, 3, 16, 16));
            ModelProto fp16 = Float16Conversion.convert(fp32, null);
            assertTrue(
                    fp16.getGraph().getInitializerList().stream()
                            .allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE),
                    "all weights are float16");
            assertEquals(
                    OnnxFileWriter.tensorBytes(fp32.getGraph()),
                    2 * OnnxFileWriter.tensorBytes(fp16.getGraph()),
                    "weights take half the bytes");
            compare(fp32, fp16, m.randomUniform(0, 1, new Shape(4, 3, 16, 16)), "CNN");
        }
    }

    @Test
    void paddleDetectorInFp16StaysWithinOnePercentOfFp32() throws Exception {
        ModelProto fp32 = OnnxModelReader.read(TestData.ocrDetector()).proto();
        ModelProto fp16 = Float16Conversion.convert(fp32, null);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            m.getEngine().setRandomSeed(5);
            compare(fp32, fp16, m.randomUniform(0, 1, new Shape(1, 3, 64, 96)), "PaddleOCR detector");
        }
    }

    @Test
    void paddleClassifierInFp16StaysWithinOnePercentOfFp32() throws Exception {
        ModelProto fp32 = OnnxModelReader.read(TestData.ocrClassifier()).proto();
        ModelProto fp16 = Float16Conversion.convert(fp32, null);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            m.getEngine().setRandomSeed(5);
            compare(fp32, fp16, m.randomUniform(0, 1, new Shape(2, 3, 48, 192)), "PaddleOCR classifier");
        }
    }

    /**
     * The recognizer ends in a 6625-way Softmax after a transformer block; float16 weights and activations
     * move its probabilities by up to about 3 % (of max(|p|, 0.1)), more than the 1e-2 the smaller models
     * meet. It must load (ONNX Runtime's full optimizations included: float32 islands keep its LayerNorm
     * fusion from breaking) and stay within 5e-2.
     */
    @Test
    void paddleRecognizerInFp16RunsAndStaysWithinFivePercent() throws Exception {
        ModelProto fp32 = OnnxModelReader.read(TestData.ocrRecognizer()).proto();
        ModelProto fp16 = Float16Conversion.convert(fp32, null);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            m.getEngine().setRandomSeed(5);
            compare(fp32, fp16, m.randomUniform(0, 1, new Shape(1, 3, 48, 160)), "PaddleOCR recognizer", 5e-2);
        }
    }

    private static void compare(ModelProto fp32, ModelProto fp16, NDArray x, String what) throws Exception {
        compare(fp32, fp16, x, what, 1e-2);
    }

    private static void compare(ModelProto fp32, ModelProto fp16, NDArray x, String what, double bound)
            throws Exception {
        // inputs are uniform in [0, 1): relative error is measured against |fp32| floored at 0.1
        assertEquals(fp32.getGraph().getInputList(), fp16.getGraph().getInputList(), "inputs keep their types");
        assertEquals(fp32.getGraph().getOutputList(), fp16.getGraph().getOutputList(), "outputs keep their types");
        try (OrtReference a = new OrtReference(fp32.toByteArray());
                OrtReference b = new OrtReference(fp16.toByteArray())) {
            List<OrtReference.Output> full = a.run(new NDList(x));
            List<OrtReference.Output> half = b.run(new NDList(x));
            assertEquals(OnnxJavaType.FLOAT, half.get(0).type());
            double rel = OrtAgreement.maxRelative(half, full, 1e-1);
            System.out.printf("%s fp16 vs fp32: max relative difference %.3g%n", what, rel);
            assertTrue(rel <= bound, what + ": fp16 differs from fp32 by " + rel + " relative");
        }
    }
}
