package dev.mergenet.importers.ops;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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

    /** The classpath resource listing every converter class MergeNet-J ships, one fully qualified name a line. */
    public static final String INDEX = "dev/mergenet/importers/ops/converters.txt";

    private final Map<String, OpConverter> implementations = new HashMap<>();

    /** The registry with every converter MergeNet-J ships: each indexed class, at the ops its {@link OnnxOp}s name. */
    public static OpRegistry standard() {
        OpRegistry registry = new OpRegistry();
        for (Class<? extends OpConverter> type : indexedConverters()) {
            for (OnnxOp op : type.getAnnotationsByType(OnnxOp.class)) {
                registry.add(op.domain(), op.type(), instantiate(type, op.type()), op.since());
                registry.declareUnsupported(op.domain(), op.type(), op.unsupported());
            }
        }
        return registry;
    }

    /** The converter classes listed in {@link #INDEX}, in its order. */
    public static List<Class<? extends OpConverter>> indexedConverters() {
        List<Class<? extends OpConverter>> out = new ArrayList<>();
        try (InputStream in = OpRegistry.class.getClassLoader().getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException("the converter index " + INDEX + " is missing from the classpath");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    out.add(Class.forName(name).asSubclass(OpConverter.class));
                }
            }
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalStateException("the converter index " + INDEX + " is broken: " + e, e);
        }
        return out;
    }

    /** A converter for {@code opType}: through the class's (String opType) constructor if it has one, else its no-arg one. */
    static OpConverter instantiate(Class<? extends OpConverter> type, String opType) {
        try {
            try {
                return type.getConstructor(String.class).newInstance(opType);
            } catch (NoSuchMethodException e) {
                return type.getConstructor().newInstance();
            }
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(
                    type.getName() + " rejects op " + opType + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + " has no public (String) or () constructor: " + e, e);
        }
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
        implementations.put(key(domain, opType), converter);
        return this;
    }

    /**
     * Declares spec versions of an op that exist but that no converter handles, so models at those opsets are
     * reported as unsupported instead of resolving to an older version.
     */
    public OpRegistry declareUnsupported(String opType, int... sinceVersions) {
        return declareUnsupported(OnnxModel.DEFAULT_DOMAIN, opType, sinceVersions);
    }

    public OpRegistry declareUnsupported(String domain, String opType, int... sinceVersions) {
        if (sinceVersions.length == 0) {
            return this;
        }
        NavigableMap<Integer, OpConverter> versions = table.computeIfAbsent(key(domain, opType), k -> new TreeMap<>());
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
            return new Resolution(
                    -1, null, op + " does not exist at opset " + opset + " (first at " + versions.firstKey() + ")");
        }
        if (e.getValue() == null) {
            return new Resolution(e.getKey(), null, op + "-" + e.getKey() + " (opset " + opset + ") has no converter");
        }
        return new Resolution(e.getKey(), e.getValue(), null);
    }

    /**
     * One row of the support table: an op, the since_versions that have converters, those declared unsupported,
     * and the class implementing the op (null when no version has a converter).
     */
    public record Support(
            String domain,
            String opType,
            List<Integer> supported,
            List<Integer> unsupported,
            Class<?> implementation) {}

    public List<Support> supportTable() {
        List<Support> rows = new ArrayList<>();
        table.forEach((k, versions) -> {
            List<Integer> yes = new ArrayList<>();
            List<Integer> no = new ArrayList<>();
            versions.forEach((v, c) -> (c == null ? no : yes).add(v));
            String[] parts = k.split("\u0000", 2);
            OpConverter c = implementations.get(k);
            rows.add(new Support(parts[0], parts[1], yes, no, c == null ? null : c.getClass()));
        });
        return rows;
    }

    private static String key(String domain, String opType) {
        return OnnxModel.normalizeDomain(domain) + "\u0000" + opType;
    }

    @Override
    public String toString() {
        return "OpRegistry"
                + Arrays.toString(table.keySet().stream()
                        .map(k -> k.replace('\u0000', ':'))
                        .toArray());
    }
}
