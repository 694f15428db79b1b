package dev.mergenet.importers.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the installed test data lives (scripts/test-data.sh puts it there). A missing folder fails the test
 * with the command to run, rather than skipping it silently.
 */
public final class TestData {
    private TestData() {}

    public static final Path ONNX_TESTDATA = Path.of("/usr/share/libonnx-testdata/data");
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    /** The repo's .cache folder (set by the build as the system property mergenet.cache). */
    public static Path cache() {
        String p = System.getProperty("mergenet.cache");
        if (p != null) {
            return Path.of(p);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mergenet"))) {
            dir = dir.getParent();
        }
        return (dir == null ? Path.of("") : dir).resolve(".cache");
    }

    public static Path ocrModel(String file) {
        return require(cache().resolve("ocr-models").resolve(file));
    }

    /** PaddleOCR direction classifier, detector and recognizer. */
    public static Path ocrClassifier() {
        return ocrModel("ch_ppocr_mobile_v2.0_cls_infer.onnx");
    }

    public static Path ocrDetector() {
        return ocrModel("ch_PP-OCRv4_det_infer.onnx");
    }

    public static Path ocrRecognizer() {
        return ocrModel("ch_PP-OCRv4_rec_infer.onnx");
    }

    public static Path onnxCase(String suite, String name) {
        return require(ONNX_TESTDATA.resolve(suite).resolve(name));
    }

    public static Path require(Path p) {
        assertTrue(Files.exists(p), p + " is missing: run ./scripts/test-data.sh");
        return p;
    }
}
