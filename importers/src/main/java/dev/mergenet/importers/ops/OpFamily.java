package dev.mergenet.importers.ops;

/** A group of related converters that registers itself (one class per family keeps the registry readable). */
@FunctionalInterface
public interface OpFamily {
    void register(OpRegistry registry);
}
