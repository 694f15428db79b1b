package dev.mergenet.exporters.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.testing.OrtAgreement;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** DJL blocks written as fresh ONNX graphs, run in ONNX Runtime, compared with DJL's own eval output. */
class DjlModelExporterTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static Stream<Arguments> eachBlockType() {
        return Stream.of(
                Arguments.of("Linear", Linear.builder().setUnits(5).build(), new Shape(3, 7)),
                Arguments.of(
                        "Linear without bias",
                        Linear.builder().setUnits(4).optBias(false).build(),
                        new Shape(2, 6)),
                Arguments.of(
                        "Linear on a 3-D input", Linear.builder().setUnits(4).build(), new Shape(2, 3, 6)),
                Arguments.of(
                        "Conv1d",
                        Conv1d.builder()
                                .setKernelShape(new Shape(3))
                                .setFilters(4)
                                .optStride(new Shape(2))
                                .optPadding(new Shape(1))
                                .build(),
                        new Shape(2, 3, 11)),
                Arguments.of(
                        "Conv2d",
                        Conv2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .setFilters(6)
                                .optPadding(new Shape(1, 1))
                                .optDilation(new Shape(1, 2))
                                .build(),
                        new Shape(2, 3, 9, 10)),
                Arguments.of(
                        "Conv2d grouped, no bias",
                        Conv2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .setFilters(4)
                                .optGroups(2)
                                .optBias(false)
                                .optStride(new Shape(2, 2))
                                .build(),
                        new Shape(1, 4, 8, 8)),
                Arguments.of("BatchNorm", BatchNorm.builder().optEpsilon(1e-3f).build(), new Shape(2, 5, 4, 4)),
                Arguments.of("LayerNorm", LayerNorm.builder().axis(2).build(), new Shape(3, 4, 8)),
                Arguments.of("LayerNorm over C,H,W", LayerNorm.builder().build(), new Shape(2, 3, 4, 4)),
                Arguments.of("ReLU", Activation.reluBlock(), new Shape(2, 9)),
                Arguments.of("sigmoid", Activation.sigmoidBlock(), new Shape(2, 9)),
                Arguments.of("Tanh", Activation.tanhBlock(), new Shape(2, 9)),
                Arguments.of("ReLU6", Activation.relu6Block(), new Shape(2, 9)),
                Arguments.of("softPlus", Activation.softPlusBlock(), new Shape(2, 9)),
                Arguments.of("softSign", Activation.softSignBlock(), new Shape(2, 9)),
                Arguments.of("SELU", Activation.seluBlock(), new Shape(2, 9)),
                Arguments.of("LeakyReLU", ExportableBlocks.leakyRelu(0.2f), new Shape(2, 9)),
                Arguments.of("ELU", ExportableBlocks.elu(0.7f), new Shape(2, 9)),
                Arguments.of(
                        "maxPool2d",
                        ExportableBlocks.maxPool2d(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)),
                        new Shape(2, 3, 9, 9)),
                Arguments.of(
                        "avgPool2d",
                        ExportableBlocks.avgPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(1, 1)),
                        new Shape(2, 3, 7, 7)),
                Arguments.of(
                        "maxPool1d",
                        ExportableBlocks.maxPool1d(new Shape(2), new Shape(2), new Shape(0)),
                        new Shape(2, 3, 8)),
                Arguments.of(
                        "avgPool1d",
                        ExportableBlocks.avgPool1d(new Shape(3), new Shape(1), new Shape(1)),
                        new Shape(2, 3, 8)),
                Arguments.of("globalAvgPool2d", Pool.globalAvgPool2dBlock(), new Shape(2, 3, 5, 5)),
                Arguments.of("globalMaxPool2d", Pool.globalMaxPool2dBlock(), new Shape(2, 3, 5, 5)),
                Arguments.of("batchFlatten", Blocks.batchFlattenBlock(), new Shape(2, 3, 4, 5)),
                Arguments.of("identity", Blocks.identityBlock(), new Shape(2, 3)),
                Arguments.of("Dropout", Dropout.builder().optRate(0.5f).build(), new Shape(2, 8)),
                Arguments.of(
                        "residual",
                        ExportableBlocks.residual(Linear.builder().setUnits(6).build()),
                        new Shape(2, 6)),
                Arguments.of(
                        "sum of three",
                        ExportableBlocks.sum(Activation.reluBlock(), Activation.tanhBlock(), Blocks.identityBlock()),
                        new Shape(2, 6)),
                Arguments.of(
                        "concat",
                        ExportableBlocks.concat(
                                1,
                                Linear.builder().setUnits(3).build(),
                                Linear.builder().setUnits(2).build()),
                        new Shape(2, 6)),
                Arguments.of(
                        "SequentialBlock",
                        new SequentialBlock()
                                .add(Linear.builder().setUnits(8).build())
                                .add(Activation.reluBlock())
                                .add(Linear.builder().setUnits(3).build()),
                        new Shape(4, 5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachBlockType")
    void eachSupportedBlockTypeAgreesWithOrt(String name, Block block, Shape shape) throws Exception {
        double diff = exportAndCompare(block, shape, 1e-5);
        System.out.printf("%s: max |DJL - ORT| = %.3g%n", name, diff);
    }

    @Test
    void mlpAgreesWithOrt() throws Exception {
        SequentialBlock mlp = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(64).build())
                .add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.3f).build())
                .add(Linear.builder().setUnits(32).build())
                .add(Activation.tanhBlock())
                .add(Linear.builder().setUnits(10).build());
        double diff = exportAndCompare(mlp, new Shape(8, 1, 28, 28), 1e-5);
        System.out.printf("MLP: max |DJL - ORT| = %.3g%n", diff);
    }

    @Test
    void cnnWithResidualAgreesWithOrt() throws Exception {
        SequentialBlock residualUnit = new SequentialBlock()
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .setFilters(8)
                        .optPadding(new Shape(1, 1))
                        .build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .setFilters(8)
                        .optPadding(new Shape(1, 1))
                        .build())
                .add(BatchNorm.builder().build());
        SequentialBlock cnn = new SequentialBlock()
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .setFilters(8)
                        .optPadding(new Shape(1, 1))
                        .build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(ExportableBlocks.maxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                .add(ExportableBlocks.residual(residualUnit))
                .add(Activation.reluBlock())
                .add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(10).build());
        double diff = exportAndCompare(cnn, new Shape(4, 3, 16, 16), 1e-5);
        System.out.printf("CNN: max |DJL - ORT| = %.3g%n", diff);
    }

    @Test
    void batchDimIsSymbolicSoOtherBatchSizesRun() throws Exception {
        Block mlp =
                new SequentialBlock().add(Linear.builder().setUnits(3).build()).add(Activation.reluBlock());
        mlp.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
        ModelProto m = new DjlModelExporter().export(mlp, "mlp", new Shape(2, 4));
        assertEquals(
                "batch",
                m.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimParam());
        assertEquals(
                "batch",
                m.getGraph()
                        .getOutput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimParam());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        NDArray x = manager.randomNormal(new Shape(5, 4));
        NDList djl = mlp.forward(new ParameterStore(manager, false), new NDList(x), false);
        try (OrtReference ort = new OrtReference(m.toByteArray())) {
            OrtAgreement.assertAgree("batch 5", djl, ort.run(new NDList(x)), 1e-5, 0);
        }
    }

    @Test
    void opaqueBlocksAreRefusedByName() {
        Block gelu = Activation.geluBlock();
        Block seq =
                new SequentialBlock().add(Linear.builder().setUnits(3).build()).add(gelu);
        seq.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
        MergeNetException e =
                assertThrows(MergeNetException.class, () -> new DjlModelExporter().export(seq, "m", new Shape(2, 4)));
        assertTrue(
                e.getMessage().contains("SequentialBlock/02LambdaBlock")
                        && e.getMessage().contains("GELU"),
                e.getMessage());

        Block pool = Pool.maxPool2dBlock(new Shape(2, 2));
        pool.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 4, 4));
        e = assertThrows(
                MergeNetException.class, () -> new DjlModelExporter().export(pool, "m", new Shape(1, 1, 4, 4)));
        assertTrue(e.getMessage().contains("maxPool2d") && e.getMessage().contains("ExportableBlocks"), e.getMessage());
    }

    private static double exportAndCompare(Block block, Shape shape, double atol) throws Exception {
        block.initialize(manager, DataType.FLOAT32, shape);
        randomizeStatistics(block, new Random(7));
        NDArray x = manager.randomNormal(shape);
        NDList djl = block.forward(new ParameterStore(manager, false), new NDList(x), false);
        ModelProto m = new DjlModelExporter().export(block, "test", shape);
        try (OrtReference ort = new OrtReference(m.toByteArray())) {
            return OrtAgreement.assertAgree(block.toString(), djl, ort.run(new NDList(x)), atol, 0);
        }
    }

    /** Fresh BatchNorm statistics are 0 and 1, which would hide a mix-up; give them other values. */
    private static void randomizeStatistics(Block block, Random random) {
        for (var p : block.getParameters()) {
            Parameter param = p.getValue();
            if (param.getType() == Parameter.Type.RUNNING_MEAN
                    || p.getKey().endsWith("gamma")
                    || p.getKey().endsWith("beta")) {
                NDArray a = param.getArray();
                float[] v = new float[(int) a.size()];
                boolean variance =
                        p.getKey().endsWith("runningVar") || p.getKey().endsWith("gamma");
                for (int i = 0; i < v.length; i++) {
                    v[i] = variance ? 0.5f + random.nextFloat() : (float) random.nextGaussian() * 0.3f;
                }
                a.set(v);
            }
        }
    }
}
