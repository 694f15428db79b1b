package dev.mergenet.importers.ops.spi;

import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node's attributes by name, read with typed getters whose errors name the node. */
public final class Attributes {
    private final Map<String, AttributeProto> byName;
    private final String owner;

    Attributes(List<AttributeProto> list, String owner) {
        Map<String, AttributeProto> map = new LinkedHashMap<>();
        for (AttributeProto a : list) {
            map.put(a.getName(), a);
        }
        this.byName = Collections.unmodifiableMap(map);
        this.owner = owner;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public Map<String, AttributeProto> all() {
        return byName;
    }

    public long getInt(String name, long defaultValue) {
        AttributeProto a = byName.get(name);
        return a == null ? defaultValue : a.getI();
    }

    public long requireInt(String name) {
        return require(name).getI();
    }

    public float getFloat(String name, float defaultValue) {
        AttributeProto a = byName.get(name);
        return a == null ? defaultValue : a.getF();
    }

    public String getString(String name, String defaultValue) {
        AttributeProto a = byName.get(name);
        return a == null ? defaultValue : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** The ints of a list attribute, or {@code defaultValue} (may be null) when absent. */
    public long[] getInts(String name, long[] defaultValue) {
        AttributeProto a = byName.get(name);
        if (a == null) {
            return defaultValue;
        }
        long[] out = new long[a.getIntsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getInts(i);
        }
        return out;
    }

    public float[] getFloats(String name, float[] defaultValue) {
        AttributeProto a = byName.get(name);
        if (a == null) {
            return defaultValue;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    public List<String> getStrings(String name) {
        AttributeProto a = byName.get(name);
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.getStringsList().forEach(s -> out.add(s.toString(StandardCharsets.UTF_8)));
        }
        return out;
    }

    public TensorProto getTensor(String name) {
        AttributeProto a = byName.get(name);
        return a == null || !a.hasT() ? null : a.getT();
    }

    public GraphProto getGraph(String name) {
        AttributeProto a = byName.get(name);
        return a == null || !a.hasG() ? null : a.getG();
    }

    public AttributeProto require(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) {
            throw new OnnxFormatException(owner + ": required attribute '" + name + "' is missing");
        }
        return a;
    }
}
