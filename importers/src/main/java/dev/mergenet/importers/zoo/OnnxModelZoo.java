package dev.mergenet.importers.zoo;

import ai.djl.repository.zoo.ModelZoo;
import dev.mergenet.core.engine.TorchEngine;
import java.nio.file.Path;
import java.util.Set;

/**
 * A DJL model zoo holding one ONNX file, so a DJL user loads it as a trainable model through {@code Criteria},
 * the way {@code optModelPath} loads any other model:
 *
 * <pre>{@code
 * Criteria<NDList, NDList> criteria = Criteria.builder()
 *         .setTypes(NDList.class, NDList.class)
 *         .optModelZoo(new OnnxModelZoo(Path.of("model.onnx")))
 *         .optDevice(Device.cpu())
 *         .build();
 * try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
 *     model.newPredictor();       // inference, or
 *     model.newTrainer(config);   // training: the block is an OnnxGraphBlock
 * }
 * }</pre>
 *
 * Other input and output types need a translator ({@code Criteria.Builder.optTranslator}).
 */
public final class OnnxModelZoo extends ModelZoo {
    /** The zoo's group id (criteria may name it with {@code optGroupId}). */
    public static final String GROUP_ID = "dev.mergenet.onnx";

    private final Path file;

    /** A zoo whose one model is {@code file}. */
    public OnnxModelZoo(Path file) {
        this.file = file;
        addModel(new OnnxModelLoader(file));
    }

    /** The ONNX file this zoo loads. */
    public Path file() {
        return file;
    }

    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    @Override
    public Set<String> getSupportedEngines() {
        return Set.of(TorchEngine.NAME);
    }
}
