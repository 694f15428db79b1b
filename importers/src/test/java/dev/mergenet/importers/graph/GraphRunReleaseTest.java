package dev.mergenet.importers.graph;

import static dev.mergenet.importers.testing.Models.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ops.OpRegistry;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto.DataType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Intermediates are closed after their last reader, and an array bound under two names survives the first. */
class GraphRunReleaseTest {
    private static final int FLOAT = DataType.FLOAT_VALUE;

    /** a = Relu(x); b = SameArray(a) (the very same array object); c = Neg(a); y = Mul(b, c) = -relu(x)^2. */
    private static CompiledGraph compile() {
        GraphProto g = GraphProto.newBuilder()
                .setName("chain")
                .addNode(Models.node("Relu", new String[] {"x"}, new String[] {"a"}))
                .addNode(Models.node("SameArray", new String[] {"a"}, new String[] {"b"}))
                .addNode(Models.node("Neg", new String[] {"a"}, new String[] {"c"}))
                .addNode(Models.node("Mul", new String[] {"b", "c"}, new String[] {"y"}))
                .addInput(value("x", FLOAT, 2, 3))
                .addOutput(value("y", FLOAT))
                .build();
        OpRegistry registry = OpRegistry.standard().add("SameArray", node -> (ctx, in) -> new NDList(in.get(0)), 1);
        var model = OnnxModelReader.read(Models.model(g, 13).toByteArray());
        return new GraphCompiler(model, registry).compile(model.proto().getGraph(), Set.of(), n -> false);
    }

    private static final float[] X = {-1.5f, 0.5f, 2f, -0.25f, 3f, 1f};

    private static void assertMinusReluSquared(float[] y) {
        for (int i = 0; i < X.length; i++) {
            double r = Math.max(0, X[i]);
            assertEquals(-r * r, y[i], 1e-6, "y[" + i + "]");
        }
    }

    @Test
    void inferenceKeepsOnlyInputsAndOutputsAlive() {
        CompiledGraph graph = compile();
        assertEquals(List.of(), graph.steps().get(0).releasedAfter());
        assertEquals(List.of("a"), graph.steps().get(2).releasedAfter()); // Neg reads a last, but b still holds it
        assertEquals(List.of("b", "c"), graph.steps().get(3).releasedAfter());
        try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager scope = base.newSubManager()) {
            NDArray x = scope.create(X, new Shape(2, 3));
            GraphRun run = new GraphRun(scope, false, "test");
            run.bind("x", x);
            NDArray y = run.execute(graph).singletonOrThrow();
            assertMinusReluSquared(y.toFloatArray());
            // a (= b) and c were closed when Mul, their last reader, finished; only x and y remain in the scope
            List<NDArray> live = scope.getManagedArrays();
            assertEquals(2, live.size(), "live arrays: " + live);
            assertTrue(live.stream().anyMatch(a -> a == x) && live.stream().anyMatch(a -> a == y));
        }
    }

    @Test
    void trainingReleasesIntermediatesAndBackwardStillSeesWhatItSaved() {
        CompiledGraph graph = compile();
        try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager scope = base.newSubManager()) {
            NDArray x = scope.create(X, new Shape(2, 3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                GraphRun run = new GraphRun(scope, true, "test");
                run.bind("x", x);
                NDArray y = run.execute(graph).singletonOrThrow();
                assertEquals(2, scope.getManagedArrays().size(), "live arrays: " + scope.getManagedArrays());
                assertMinusReluSquared(y.toFloatArray());
                gc.backward(y.sum());
            }
            float[] grad = x.getGradient().toFloatArray();
            for (int i = 0; i < X.length; i++) {
                assertEquals(-2 * Math.max(0, X[i]), grad[i], 1e-6, "d sum(-relu(x)^2)/dx[" + i + "]");
            }
        }
    }

    @Test
    void anArrayHeldInsideASequenceOutlivesItsLastNamedReader() {
        // a's last named reader is SequenceConstruct, but the sequence holds the array itself
        GraphProto g = GraphProto.newBuilder()
                .setName("sequence")
                .addNode(Models.node("Relu", new String[] {"x"}, new String[] {"a"}))
                .addNode(Models.node("SequenceConstruct", new String[] {"a"}, new String[] {"s"}))
                .addNode(Models.node("SequenceAt", new String[] {"s", "i"}, new String[] {"b"}))
                .addNode(Models.node("Neg", new String[] {"b"}, new String[] {"y"}))
                .addInput(value("x", FLOAT, 2, 3))
                .addInput(value("i", DataType.INT64_VALUE))
                .addOutput(value("y", FLOAT))
                .build();
        var model = OnnxModelReader.read(Models.model(g, 13).toByteArray());
        CompiledGraph graph = new GraphCompiler(model, OpRegistry.standard())
                .compile(model.proto().getGraph(), Set.of(), n -> false);
        assertEquals(List.of("a"), graph.steps().get(1).releasedAfter());
        try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager scope = base.newSubManager()) {
            GraphRun run = new GraphRun(scope, false, "test");
            run.bind("x", scope.create(X, new Shape(2, 3)));
            run.bind("i", scope.create(0L));
            float[] y = run.execute(graph).singletonOrThrow().toFloatArray();
            for (int k = 0; k < X.length; k++) {
                assertEquals(-Math.max(0, X[k]), y[k], 1e-6, "y[" + k + "]");
            }
        }
    }

    @Test
    void arraysMadeFromJavaDataStayOpenUntilTheScopeCloses() {
        try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray javaBacked = base.create(X, new Shape(2, 3));
            NDArray engineMade = javaBacked.neg();
            assertTrue(!ReleasableArrays.engineOwned(javaBacked), "created from a Java array");
            assertTrue(ReleasableArrays.engineOwned(engineMade), "allocated by libtorch");
            assertSame(base, engineMade.getManager());
        }
    }
}
