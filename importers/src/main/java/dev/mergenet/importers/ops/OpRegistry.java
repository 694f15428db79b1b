package dev.mergenet.importers.ops;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.ops.spi.OpConverter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Converters keyed by (domain, op_type, since_version). Each registration also lists every since_version the
 * ONNX spec defines for the op, so a model's opset maps to the version in which the op last changed; a
 * version with no converter is reported as unsupported rather than silently run with older semantics.
 */
public final class OpRegistry {
    private final Map<String, NavigableMap<Integer, OpConverter>> table = new TreeMap<>();

    /** The registry with every converter MergeNet-J ships. */
    public static OpRegistry standard() {
        OpRegistry registry = new OpRegistry();
        for (OpFamily family : StandardOps.FAMILIES) {
            family.register(registry);
        }
        return registry;
    }

    /**
     * Registers {@code converter} for op {@code opType} of the default domain at each of {@code sinceVersions}
     * (the versions of the spec this converter implements).
     */
    public OpRegistry add(String opType, OpConverter converter, int... sinceVersions) {
        return add(OnnxModel.DEFAULT_DOMAIN, opType, converter, sinceVersions);
    }

    public OpRegistry add(String domain, String opType, OpConverter converter, int... sinceVersions) {
        if (sinceVersions.length == 0) {
            throw new IllegalArgumentException(opType + ": no since_version given");
        }
        NavigableMap<Integer, OpConverter> versions = table.computeIfAbsent(key(domain, opType), k -> new TreeMap<>());
        for (int v : sinceVersions) {
            if (versions.get(v) != null) {
                throw new IllegalStateException(opType + " since_version " + v + " registered twice");
            }
            versions.put(v, converter);
        }
        return this;
    }

    /**
     * Declares spec versions of an op that exist but that no converter handles, so models at those opsets are
     * reported as unsupported instead of resolving to an older version.
     */
    public OpRegistry declareUnsupported(String opType, int... sinceVersions) {
        NavigableMap<Integer, OpConverter> versions = table.computeIfAbsent(key("", opType), k -> new TreeMap<>());
        for (int v : sinceVersions) {
            versions.putIfAbsent(v, null);
        }
        return this;
    }

    /** How a node of (domain, opType) at a model's opset resolves. */
    public record Resolution(int sinceVersion, OpConverter converter, String problem) {
        public boolean supported() {
            return converter != null;
        }
    }

    public Resolution resolve(String domain, String opType, long opset) {
        NavigableMap<Integer, OpConverter> versions = table.get(key(domain, opType));
        String op = domain.isEmpty() ? opType : domain + "::" + opType;
        if (versions == null) {
            return new Resolution(-1, null, op + " has no converter");
        }
        if (opset < 0) {
            return new Resolution(-1, null, op + ": the model imports no opset for domain '" + domain + "'");
        }
        Map.Entry<Integer, OpConverter> e = versions.floorEntry((int) Math.min(opset, Integer.MAX_VALUE));
        if (e == null) {
            return new Resolution(-1, null, op + " does not exist at opset " + opset + " (first at "
                    + versions.firstKey() + ")");
        }
        if (e.getValue() == null) {
            return new Resolution(e.getKey(), null, op + "-" + e.getKey() + " (opset " + opset + ") has no converter");
        }
        return new Resolution(e.getKey(), e.getValue(), null);
    }

    /** One row of the support table: an op and the since_versions that have converters. */
    public record Support(String domain, String opType, List<Integer> supported, List<Integer> unsupported) {}

    public List<Support> supportTable() {
        List<Support> rows = new ArrayList<>();
        table.forEach((k, versions) -> {
            List<Integer> yes = new ArrayList<>();
            List<Integer> no = new ArrayList<>();
            versions.forEach((v, c) -> (c == null ? no : yes).add(v));
            String[] parts = k.split("\u0000", 2);
            rows.add(new Support(parts[0], parts[1], yes, no));
        });
        return rows;
    }

    private static String key(String domain, String opType) {
        return OnnxModel.normalizeDomain(domain) + "\u0000" + opType;
    }

    @Override
    public String toString() {
        return "OpRegistry" + Arrays.toString(table.keySet().stream().map(k -> k.replace('\u0000', ':')).toArray());
    }
}
