package dev.mergenet.sweep;

import dev.mergenet.core.errors.MergeNetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A hyperparameter grid from `--grid key=v1,v2` options: the cartesian product of the values, in order. */
public record Grid(Map<String, List<String>> values) {
    public static final Grid NONE = new Grid(Map.of());

    public Grid {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Parses "key=v1,v2" options; a key given twice or without values is an error. */
    public static Grid parse(List<String> options) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        for (String o : options == null ? List.<String>of() : options) {
            int eq = o.indexOf('=');
            if (eq <= 0 || eq == o.length() - 1) {
                throw new MergeNetException("--grid " + o + ": expected KEY=V1,V2,... (e.g. adapter-lr=1e-1,1e-2)");
            }
            String key = o.substring(0, eq).trim();
            TrialRunner.checkKey(key);
            if (v.containsKey(key)) {
                throw new MergeNetException("--grid " + key + ": given twice; list all its values in one --grid");
            }
            List<String> vals = new ArrayList<>();
            for (String s : o.substring(eq + 1).split(",")) {
                if (!s.isBlank() && !vals.contains(s.trim())) {
                    vals.add(s.trim());
                }
            }
            v.put(key, vals);
        }
        return new Grid(v);
    }

    /** The grid points over the keys this arm reads (a single empty point when it reads none). */
    public List<TreeMap<String, String>> points(String arm) {
        List<TreeMap<String, String>> out = new ArrayList<>();
        out.add(new TreeMap<>());
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            if (!TrialRunner.reads(arm, e.getKey())) {
                continue;
            }
            List<TreeMap<String, String>> next = new ArrayList<>();
            for (TreeMap<String, String> p : out) {
                for (String val : e.getValue()) {
                    TreeMap<String, String> q = new TreeMap<>(p);
                    q.put(e.getKey(), val);
                    next.add(q);
                }
            }
            out = next;
        }
        return out;
    }
}
