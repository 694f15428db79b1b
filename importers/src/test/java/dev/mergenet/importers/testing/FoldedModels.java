package dev.mergenet.importers.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The folded-normalization test material of scripts/export_folded_models.py: tiny MobileNetV3 and ResNet exports
 * (fresh folded, fresh with BatchNorm kept, pretrained folded), a Fashion-MNIST training and eval subset, and
 * PyTorch's own accuracy of the pretrained models. Read from .cache/folded-models when test-data.sh made it,
 * else exported once into the repository's target/folded-models (shared by the modules' tests).
 */
public final class FoldedModels {
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    private static Path dir;

    private FoldedModels() {}

    public static synchronized Path dir() {
        if (dir != null) {
            return dir;
        }
        Path cached = TestData.cache().resolve("folded-models");
        if (Files.exists(cached.resolve("reference.json"))) {
            return dir = cached;
        }
        Path local =
                TestData.cache().toAbsolutePath().getParent().resolve("target").resolve("folded-models");
        if (!Files.exists(local.resolve("reference.json"))) {
            Path script = TestData.cache().getParent().resolve("scripts").resolve("export_folded_models.py");
            TestData.require(TestData.FASHION_MNIST);
            try {
                Process p = new ProcessBuilder(
                                PYTHON.toString(),
                                script.toString(),
                                local.toString(),
                                TestData.FASHION_MNIST.toString())
                        .redirectErrorStream(true)
                        .start();
                String log = new String(p.getInputStream().readAllBytes());
                assertTrue(p.waitFor(10, TimeUnit.MINUTES), "export_folded_models.py timed out");
                assertEquals(
                        0,
                        p.exitValue(),
                        "export_folded_models.py failed (python3-torch and "
                                + "python3-torchvision from scripts/test-data.sh):\n" + log);
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return dir = local;
    }

    public static Path model(String name) {
        return TestData.require(dir().resolve(name + ".onnx"));
    }

    /** A number of reference.json, e.g. "resnet_pretrained_accuracy" (PyTorch's accuracy on the eval subset). */
    public static double reference(String key) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\": ([0-9.eE+-]+)")
                    .matcher(Files.readString(dir().resolve("reference.json")));
            assertTrue(m.find(), key + " is not in reference.json");
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** "train" or "eval" images, [n, 1, 28, 28] in [0, 1]. */
    public static NDArray images(NDManager m, String split) {
        float[] v = floats(dir().resolve(split + "_x.f32"));
        return m.create(v, new Shape(v.length / 784, 1, 28, 28));
    }

    public static int[] labels(String split) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir().resolve(split + "_y.i32")))
                    .order(ByteOrder.LITTLE_ENDIAN);
            int[] out = new int[b.remaining() / 4];
            b.asIntBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The images in batches of {@code size}, each a one-input NDList. */
    public static List<NDList> batches(NDArray images, int size) {
        List<NDList> out = new ArrayList<>();
        long n = images.getShape().get(0);
        for (long from = 0; from < n; from += size) {
            out.add(new NDList(images.get(from + ":" + Math.min(n, from + size))));
        }
        return out;
    }

    /** Share of rows whose largest logit is at the label. */
    public static double accuracy(NDArray logits, int[] labels) {
        long[] predicted = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / predicted.length;
    }

    /** ONNX Runtime's logits for the images. */
    public static NDArray ortLogits(OrtRunner ort, NDManager m, NDArray images) {
        TensorData x = TensorData.fromOnnxBytes(
                "input",
                TensorProto.DataType.FLOAT_VALUE,
                images.getShape(),
                images.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        Map<String, TensorData> out = ort.run(Map.of("input", x));
        return out.get("logits").toNDArray(m);
    }

    /** A float32 file of the material, e.g. "mobilenet_precise_bn". */
    public static float[] floats(String name) {
        return floats(dir().resolve(name + ".f32"));
    }

    private static float[] floats(Path p) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
