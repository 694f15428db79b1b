package dev.mergenet.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PyTorch kernels that DJL does not expose, run through tiny bundled TorchScript modules (written by
 scripts/torchscript-kernels.py), so that the imported graph gets PyTorch's own forward and backward for them.
 *
 * <p>Why: DJL's {@code clip} is {@code clamp} with tensor bounds, whose backward is four full-size kernels
 * (two comparisons, a logical and, a where); PyTorch's ReLU6 is {@code hardtanh}, one kernel each way. On
 * MobileNetV2 that difference alone was most of the backward pass's gap to PyTorch. A kernel that cannot be loaded
 * (another engine) is reported as absent and the caller keeps its portable form.
 */
public final class TorchScriptKernels {
    private static final Map<String, Optional<PtSymbolBlock>> MODULES = new ConcurrentHashMap<>();

    private TorchScriptKernels() {}

    /**
     * hardtanh(x, low, high): x clamped to [low, high], with gradient 1 strictly inside and 0 at and beyond the
     * bounds (PyTorch's ReLU6). Empty when x is not on the PyTorch engine.
     */
    public static Optional<NDArray> hardtanh(NDArray x, double low, double high) {
        if (!TorchEngine.NAME.equals(x.getManager().getEngine().getEngineName())) {
            return Optional.empty();
        }
        return module("hardtanh").map(m -> {
            // the bounds stay on the CPU whatever x's device: reading them never waits on a GPU
            NDArray lo = cpuScalar(x, low);
            NDArray hi = cpuScalar(x, high);
            NDList out = IValueUtils.forward(m, new NDList(x, lo, hi), true); // true: keep the caller's grad mode
            lo.close();
            hi.close();
            return out.singletonOrThrow();
        });
    }

    private static NDArray cpuScalar(NDArray like, double value) {
        return TorchEngine.full(like.getManager(), new Shape(), value, DataType.FLOAT64, Device.cpu(),
                SparseFormat.DENSE);
    }

    /** The bundled module, loaded once per JVM into a manager of its own that is never closed (no parameters). */
    private static Optional<PtSymbolBlock> module(String name) {
        return MODULES.computeIfAbsent(name, n -> {
            String resource = "/dev/mergenet/core/engine/kernels/" + n + ".pt";
            try (InputStream in = TorchScriptKernels.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the importer's jar");
                }
                PtNDManager owner = (PtNDManager) TorchEngine.newManager(Device.cpu());
                return Optional.of(JniUtils.loadModule(owner, in, false, false));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + resource, e);
            }
        });
    }
}
