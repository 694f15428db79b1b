package dev.mergenet.exporters;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test models on disk and their inputs. */
public final class TestModels {
    private TestModels() {}

    public static List<Path> pytorchConverted() {
        Path root = TestData.require(TestData.ONNX_TESTDATA.resolve("pytorch-converted"));
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.exists(p.resolve("model.onnx"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The case's recorded inputs (test_data_set_0/input_*.pb). */
    public static NDList caseInputs(Path caseDir, NDManager manager) {
        NDList list = new NDList();
        for (int i = 0; ; i++) {
            Path p = caseDir.resolve("test_data_set_0").resolve("input_" + i + ".pb");
            if (!Files.exists(p)) {
                return list;
            }
            try (InputStream in = Files.newInputStream(p)) {
                TensorProto t = TensorProto.parseFrom(in);
                list.add(TensorDecoder.toNDArray(t, manager, p.toString(), null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Every tensor the model stores (initializers, then Constant node values), by name. */
    public static Map<String, TensorProto> storedTensors(OnnxModel model) {
        Map<String, TensorProto> map = new LinkedHashMap<>();
        model.proto().getGraph().getInitializerList().forEach(t -> map.put("init:" + t.getName(), t));
        for (NodeProto n : model.proto().getGraph().getNodeList()) {
            n.getAttributeList().stream()
                    .filter(a -> a.hasT())
                    .forEach(a ->
                            map.put("const:" + n.getName() + "/" + n.getOutputList() + "/" + a.getName(), a.getT()));
        }
        return map;
    }

    public static List<Path> ocrModels() {
        return new ArrayList<>(List.of(TestData.ocrClassifier(), TestData.ocrDetector(), TestData.ocrRecognizer()));
    }
}
