package dev.mergenet.transfer.app.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.exporters.djl.DjlModelExporter;
import dev.mergenet.exporters.djl.ExportableBlocks;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.nio.file.Path;
import java.util.List;

/**
 * The Fashion-MNIST pair of design note section 9, built with DJL blocks and written to ONNX through the exporter:
 * a small CNN target whose 1×1 conv (followed by BatchNorm) is the adapted matrix, and an MLP source of a
 * different architecture whose classifier is the source matrix.
 */
public final class FashionModels {
    public static final Shape INPUT = new Shape(1, 1, 28, 28);

    private FashionModels() {}

    /** T-CNN: conv3×3(1→w)-BN-ReLU-maxpool → conv3×3(w→2w)-BN-ReLU-maxpool → conv1×1(2w→4w)-BN-ReLU → GAP → fc. */
    public static SequentialBlock targetCnn(int width) {
        return stem(width)
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(1, 1))
                        .setFilters(4 * width)
                        .build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /**
     * P3's target: the T-CNN stem, then a residual bottleneck whose last 1×1 projection conv (followed by BatchNorm,
     * then added to the skip) is the adapted matrix, as the paper's MobileNetV2 layer: conv3×3(1→w)-BN-ReLU-maxpool →
     * conv3×3(w→2w)-BN-ReLU-maxpool → [conv1×1(2w→4w)-BN-ReLU → conv1×1(4w→2w)-BN] + skip → ReLU → GAP → fc.
     */
    public static SequentialBlock targetResidualCnn(int width) {
        SequentialBlock bottleneck = new SequentialBlock()
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(1, 1))
                        .setFilters(4 * width)
                        .build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(1, 1))
                        .setFilters(2 * width)
                        .build())
                .add(BatchNorm.builder().build());
        return stem(width)
                .add(ExportableBlocks.residual(bottleneck))
                .add(Activation.reluBlock())
                .add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /**
     * P2's source, of another family than the targets: a small ResNet. conv3×3(1→c)-BN-ReLU → basic block(c) →
     * maxpool → conv3×3(c→2c)-BN-ReLU → basic block(2c) → maxpool → basic block(2c) → GAP → fc(2c→10).
     */
    public static SequentialBlock sourceResNet(int c) {
        return new SequentialBlock()
                .add(conv3(c))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(basicBlock(c))
                .add(ExportableBlocks.maxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                .add(conv3(2 * c))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(basicBlock(2 * c))
                .add(ExportableBlocks.maxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                .add(basicBlock(2 * c))
                .add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /** The T-CNN stem shared by both targets: conv3×3(1→w)-BN-ReLU-maxpool → conv3×3(w→2w)-BN-ReLU-maxpool. */
    private static SequentialBlock stem(int width) {
        return new SequentialBlock()
                .add(conv3(width))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(ExportableBlocks.maxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                .add(conv3(2 * width))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(ExportableBlocks.maxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)));
    }

    private static Conv2d conv3(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(filters)
                .build();
    }

    /** ResNet's basic block: ReLU([conv3×3-BN-ReLU-conv3×3-BN] + x). */
    private static SequentialBlock basicBlock(int c) {
        SequentialBlock branch = new SequentialBlock()
                .add(conv3(c))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv3(c))
                .add(BatchNorm.builder().build());
        return new SequentialBlock().add(ExportableBlocks.residual(branch)).add(Activation.reluBlock());
    }

    /** Source MLP 784→256→128→10. */
    public static SequentialBlock sourceMlp() {
        return new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(256).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /** Initialises the block from {@code seed} and writes it as ONNX. */
    public static Path write(SequentialBlock block, String graphName, long seed, Path file, boolean force) {
        return write(block, graphName, seed, file, force, INPUT);
    }

    /** The same for another input shape [1, C, H, W]. */
    public static Path write(
            SequentialBlock block, String graphName, long seed, Path file, boolean force, Shape input) {
        try (NDManager manager = TorchEngine.newManager(Device.cpu())) {
            TorchEngine.setRandomSeed((int) seed);
            block.initialize(manager, DataType.FLOAT32, input);
            ModelProto proto = new DjlModelExporter().export(block, graphName, input);
            return OnnxFileWriter.write(proto, file, null, new WriteOptions(force, false, List.of()))
                    .model();
        }
    }

    /** Writes target_s{seed}.onnx and source_s{seed}.onnx into {@code dir}; returns {target, source}. */
    public static Path[] writePair(Path dir, long seed, int width) {
        Path t = write(targetCnn(width), "fashion_target_cnn", seed, dir.resolve("target_s" + seed + ".onnx"), true);
        Path s = write(sourceMlp(), "fashion_source_mlp", seed + 1000, dir.resolve("source_s" + seed + ".onnx"), true);
        return new Path[] {t, s};
    }
}
