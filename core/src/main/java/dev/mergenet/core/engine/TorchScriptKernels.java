package dev.mergenet.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PyTorch kernels that DJL does not expose, run through tiny bundled TorchScript modules (written by
 * scripts/torchscript-kernels.py), so that the imported graph gets PyTorch's own forward and backward for them.
 *
 * <p>Why: DJL's {@code clip} is {@code clamp} with tensor bounds, whose backward is four full-size kernels
 * (two comparisons, a logical and, a where); PyTorch's ReLU6 is {@code hardtanh}, one kernel each way. On
 * MobileNetV2 that difference alone was most of the backward pass's gap to PyTorch. A kernel that cannot be loaded
 * (another engine) is reported as absent and the caller keeps its portable form.
 */
public final class TorchScriptKernels {
    private static final Map<String, Optional<PtSymbolBlock>> MODULES = new ConcurrentHashMap<>();
    /** 0-d CPU bounds by value, made once: a model has a handful (0 and 6 for ReLU6), each call reuses them. */
    private static final Map<Double, NDArray> BOUNDS = new ConcurrentHashMap<>();

    private static final int MAX_CACHED_BOUNDS = 256;
    private static volatile NDManager owner;

    private TorchScriptKernels() {}

    /**
     * hardtanh(x, low, high): x clamped to [low, high], with gradient 1 strictly inside and 0 at and beyond the
     * bounds (PyTorch's ReLU6). With {@code inPlace} the result is written into x (as ReLU6(inplace=True)): only for
     * an x that nothing else reads and whose producer's backward does not need it. Empty when x is not on the
     * PyTorch engine.
     */
    public static Optional<NDArray> hardtanh(NDArray x, double low, double high, boolean inPlace) {
        if (!TorchEngine.NAME.equals(x.getManager().getEngine().getEngineName())) {
            return Optional.empty();
        }
        return module(inPlace ? "hardtanh_" : "hardtanh").map(m -> {
            NDArray lo = bound(low, x);
            NDArray hi = bound(high, x);
            // true: the call keeps the caller's grad mode; the result belongs to x's manager
            NDList out = IValueUtils.forward(m, new NDList(x, lo, hi), true);
            closeUnlessCached(low, lo);
            closeUnlessCached(high, hi);
            return out.singletonOrThrow();
        });
    }

    /**
     * torch.optim.SGD's update of all {@code params} in one engine call (the _foreach kernels of SGD's foreach path):
     * d = g + weightDecay·w; with momentum buf = momentum·buf + d and w −= lr·buf, else w −= lr·d. Buffers must be
     * zero-filled before the first step (then buf = d, as SGD's first step sets it) and are omitted without momentum.
     * Runs without autograd. Returns false, changing nothing, when the arrays are not all this engine's tensors on
     * one device (the caller then updates parameter by parameter).
     *
     * <p>Why: one parameter at a time costs several engine calls and temporaries per parameter; DJL's own SGD also
     * copies every gradient twice. This is one pass over the weights, as PyTorch's step makes.
     */
    public static boolean sgdStep(
            List<NDArray> params,
            List<NDArray> grads,
            List<NDArray> buffers,
            double lr,
            double momentum,
            double weightDecay) {
        if (params.isEmpty()
                || !sameEngineDevice(params, params.get(0))
                || !sameEngineDevice(grads, params.get(0))
                || !sameEngineDevice(buffers, params.get(0))) {
            return false;
        }
        Optional<PtSymbolBlock> module = module("sgd_step");
        if (module.isEmpty()) {
            return false;
        }
        IValue[] args = {
            list(params), list(grads), list(buffers), IValue.from(lr), IValue.from(momentum), IValue.from(weightDecay)
        };
        try (IValue result = IValueUtils.forward(module.get(), args)) { // no autograd: DJL runs it in inference mode
            return true;
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private static boolean sameEngineDevice(List<NDArray> arrays, NDArray first) {
        for (NDArray a : arrays) {
            if (!(a instanceof PtNDArray) || !a.getDevice().equals(first.getDevice())) {
                return false;
            }
        }
        return true;
    }

    private static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.toArray(new PtNDArray[0]));
    }

    /**
     * relu written into x, as PyTorch's ReLU(inplace=True): only for an x that nothing else reads and whose producer's
     * backward does not need it (DJL has no in-place relu). Empty when x is not on the PyTorch engine.
     */
    public static Optional<NDArray> reluInPlace(NDArray x) {
        if (!TorchEngine.NAME.equals(x.getManager().getEngine().getEngineName())) {
            return Optional.empty();
        }
        // true: the call keeps the caller's grad mode; the result belongs to x's manager
        return module("relu_")
                .map(m -> IValueUtils.forward(m, new NDList(x), true).singletonOrThrow());
    }

    /** A 0-d float64 CPU tensor, whatever x's device: reading a bound never waits on a GPU. */
    private static NDArray bound(double value, NDArray x) {
        NDArray cached = BOUNDS.get(value);
        if (cached != null) {
            return cached;
        }
        if (BOUNDS.size() >= MAX_CACHED_BOUNDS) { // made for this call only
            return TorchEngine.full(
                    x.getManager(), new Shape(), value, DataType.FLOAT64, Device.cpu(), SparseFormat.DENSE);
        }
        return BOUNDS.computeIfAbsent(
                value,
                v -> TorchEngine.full(owner(), new Shape(), v, DataType.FLOAT64, Device.cpu(), SparseFormat.DENSE));
    }

    private static void closeUnlessCached(double value, NDArray bound) {
        if (BOUNDS.get(value) != bound) {
            bound.close();
        }
    }

    /** The manager of the kernels and cached bounds: lives as long as the JVM (none holds parameters). */
    private static NDManager owner() {
        if (owner == null) {
            synchronized (TorchScriptKernels.class) {
                if (owner == null) {
                    owner = TorchEngine.newManager(Device.cpu());
                }
            }
        }
        return owner;
    }

    /** The bundled module, loaded once per JVM. */
    private static Optional<PtSymbolBlock> module(String name) {
        return MODULES.computeIfAbsent(name, n -> {
            String resource = "/dev/mergenet/core/engine/kernels/" + n + ".pt";
            try (InputStream in = TorchScriptKernels.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the core jar");
                }
                return Optional.of(JniUtils.loadModule((PtNDManager) owner(), in, false, false));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + resource, e);
            }
        });
    }
}
