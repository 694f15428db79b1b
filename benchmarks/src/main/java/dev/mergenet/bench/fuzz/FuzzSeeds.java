package dev.mergenet.bench.fuzz;

import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The models mutations start from: backend-suite case models and small PyTorch exports (under 4 MB). */
public final class FuzzSeeds {
    /** One seed model, with its case's inputs when it has them. */
    public record Seed(String name, ModelProto model, Map<String, TensorData> inputs) {}

    private static final long MAX_BYTES = 4L << 20;

    private FuzzSeeds() {}

    /** Seeds from backend suite folders (each holding case folders) and folders of .onnx files, sorted by name. */
    public static List<Seed> load(List<Path> suites, List<Path> modelFolders) {
        List<Seed> seeds = new ArrayList<>();
        for (Path suite : suites) {
            for (Path dir : list(suite)) {
                Path model = dir.resolve("model.onnx");
                ModelProto proto = parse(model);
                if (proto != null) {
                    seeds.add(new Seed(
                            suite.getFileName() + "/" + dir.getFileName(),
                            proto,
                            FuzzTarget.caseInputs(dir, proto.getGraph().getInputList())));
                }
            }
        }
        for (Path folder : modelFolders) {
            for (Path file : list(folder)) {
                if (file.toString().endsWith(".onnx")) {
                    ModelProto proto = parse(file);
                    if (proto != null) {
                        seeds.add(new Seed(folder.getFileName() + "/" + file.getFileName(), proto, null));
                    }
                }
            }
        }
        return seeds;
    }

    private static List<Path> list(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static ModelProto parse(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
                return null;
            }
            return ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        }
    }
}
