package dev.mergenet.core.engine;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one place that names DJL's PyTorch engine and calls its engine-specific API (JniUtils, PtNDManager,
 * PtNDArray, LibUtils). Everything else uses DJL's engine-neutral API through these methods, so another
 * engine would change this class only (DependencyDirectionTest keeps it so).
 */
public final class TorchEngine {
    /** DJL's name for the engine every MergeNet-J array, model and gradient collector runs on. */
    public static final String NAME = "PyTorch";

    // PtNDArray keeps arrays made from Java data alive through this field; null when libtorch allocated them
    private static final Field DATA_REF = dataRefField();

    private TorchEngine() {}

    public static Engine engine() {
        return Engine.getEngine(NAME);
    }

    /** A root manager on {@code device}; the caller closes it. */
    public static NDManager newManager(Device device) {
        return NDManager.newBaseManager(device, NAME);
    }

    public static Model newModel(String name, Device device) {
        return Model.newInstance(name, device, NAME);
    }

    public static GradientCollector newGradientCollector() {
        return engine().newGradientCollector();
    }

    /** Whether autograd is recording now (inside a gradient collector's scope). */
    public static boolean isGradMode() {
        return JniUtils.isGradMode();
    }

    /** libtorch's intra-op thread count for this process (loads the engine first). */
    public static void setIntraOpThreads(int threads) {
        engine();
        JniUtils.setNumThreads(threads);
    }

    /** Turns autograd recording on or off for this thread. */
    public static void setGradMode(boolean on) {
        JniUtils.setGradMode(on);
    }

    /**
     * Backward from {@code y} (seeded with ones) into the gradients of the leaves it reaches, without a gradient
     * collector: for gradients computed inside a step while the step's own collector is open.
     */
    public static void backward(NDArray y) {
        try (NDArray seed = y.onesLike()) {
            JniUtils.backward((PtNDArray) y, (PtNDArray) seed, false, false);
        }
    }

    /**
     * A new handle on the very same tensor, attached to {@code a}'s manager; the caller attaches it where it wants
     * it. Not a view: PyTorch's {@code to} with the tensor's own type and device returns the tensor itself, so
     * autograd records nothing (a reshape view of a weight adds a ViewBackward node to every backward pass). Empty
     * for arrays that are not this engine's tensors.
     */
    public static Optional<NDArray> sameTensor(NDArray a) {
        if (!isTensor(a) || a.getDataType() == DataType.STRING) {
            return Optional.empty();
        }
        return Optional.of(JniUtils.to((PtNDArray) a, a.getDataType(), a.getDevice()));
    }

    /**
     * {@code a}'s gradient, or null when no backward pass has reached it yet (DJL's getGradient would make zeros,
     * which an optimizer cannot tell from a real zero gradient). The handle is attached to a's own manager.
     */
    public static NDArray gradientOrNull(NDArray a) {
        if (a instanceof PtNDArray) {
            return JniUtils.getGradient((PtNDArray) a);
        }
        return a.hasGradient() ? a.getGradient() : null;
    }

    /**
     * Sets {@code a}'s gradient to zero in place, one engine call (zero_, so a NaN or Inf gradient does not survive);
     * nothing when no backward has reached it yet. False when {@code a} is not this engine's tensor.
     */
    public static boolean zeroGradient(NDArray a) {
        if (!(a instanceof PtNDArray)) {
            return false;
        }
        JniUtils.zeroGrad((PtNDArray) a);
        return true;
    }

    /**
     * A TorchScript module (a file written by torch.jit.save) as a trainable DJL block whose parameters require
     * gradients: the reference for "the same network on this engine", for benchmarks.
     */
    public static Block loadTorchScript(Path file, NDManager manager) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            PtSymbolBlock block = JniUtils.loadModule((PtNDManager) manager, in, false, false);
            block.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            return block;
        }
    }

    public static int gpuCount() {
        return engine().getGpuCount();
    }

    public static Device defaultDevice() {
        return engine().defaultDevice();
    }

    public static void setRandomSeed(int seed) {
        engine().setRandomSeed(seed);
    }

    /** torch::full: an array in engine-owned memory, which autograd keeps alive by reference counting. */
    public static NDArray full(
            NDManager manager, Shape shape, double value, DataType type, Device device, SparseFormat format) {
        return JniUtils.full((PtNDManager) manager, shape, value, type, device, format);
    }

    /** The folder of the loaded libtorch (its name carries the version and flavor, e.g. cpu or cu124). */
    public static String libtorchPath() {
        return LibUtils.getLibtorchPath();
    }

    /** Whether {@code a} is one of this engine's tensors (not a container such as a sequence of arrays). */
    public static boolean isTensor(NDArray a) {
        return DATA_REF != null && a instanceof PtNDArray;
    }

    /**
     * Whether libtorch allocated {@code a}'s memory (and reference-counts it), rather than wrapping a Java buffer
     * that views and autograd may still read after the handle closes.
     */
    public static boolean isEngineAllocated(NDArray a) {
        if (!isTensor(a)) {
            return false;
        }
        try {
            return DATA_REF.get(a) == null;
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    private static Field dataRefField() {
        try {
            Field f = PtNDArray.class.getDeclaredField("dataRef");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another DJL version: no array counts as engine-allocated, nothing is released early
        }
    }
}
