/** The engine seam: DJL's PyTorch engine by name and every call specific to it, in {@link TorchEngine}. */
package dev.mergenet.core.engine;
