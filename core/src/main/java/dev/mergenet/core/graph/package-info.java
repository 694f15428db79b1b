/** Lookups over an ONNX {@code GraphProto} (producers, consumers, constants, names in use), built once per graph. */
package dev.mergenet.core.graph;
