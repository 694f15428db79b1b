package dev.mergenet.transfer.data;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * csv:FILE: numeric feature columns and one label column (named "label" in a header, else the last column).
 * Labels that are all integers are used as given; otherwise distinct label strings are sorted and numbered.
 */
public final class CsvDataset {
    private CsvDataset() {}

    public static LabeledData load(Path file, String labelColumn) {
        if (!Files.isRegularFile(file)) {
            throw new MergeNetException(file + ": CSV file does not exist");
        }
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    rows.add(line.split(",", -1));
                }
            }
        } catch (IOException e) {
            throw new MergeNetException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new MergeNetException(file + ": empty CSV");
        }
        boolean header = !isNumber(rows.get(0)[0].trim()) || !isNumericRow(rows.get(0), -1);
        String[] names = header ? rows.remove(0) : null;
        int cols = rows.isEmpty() ? 0 : rows.get(0).length;
        if (rows.isEmpty() || cols < 2) {
            throw new MergeNetException(file + ": needs at least one feature column and a label column");
        }
        int labelIdx = cols - 1;
        if (labelColumn != null) {
            labelIdx = -1;
            for (int i = 0; names != null && i < names.length; i++) {
                if (names[i].trim().equals(labelColumn)) {
                    labelIdx = i;
                }
            }
            if (labelIdx < 0) {
                throw new MergeNetException(file + ": no column named '" + labelColumn + "'");
            }
        } else if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].trim().equalsIgnoreCase("label")) {
                    labelIdx = i;
                }
            }
        }
        float[] x = new float[rows.size() * (cols - 1)];
        String[] rawLabels = new String[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            if (row.length != cols) {
                throw new MergeNetException(file + ": line " + (r + 1 + (header ? 1 : 0)) + " has " + row.length
                        + " columns, expected " + cols);
            }
            int k = 0;
            for (int c = 0; c < cols; c++) {
                String v = row[c].trim();
                if (c == labelIdx) {
                    rawLabels[r] = v;
                    continue;
                }
                try {
                    x[r * (cols - 1) + k++] = Float.parseFloat(v);
                } catch (NumberFormatException e) {
                    throw new MergeNetException(file + ": line " + (r + 1 + (header ? 1 : 0)) + ", column " + (c + 1)
                            + ": '" + v + "' is not a number");
                }
            }
        }
        int[] y = new int[rows.size()];
        boolean integers = true;
        for (String s : rawLabels) {
            integers &= s.matches("\\d+");
        }
        int classes;
        List<String> labelNames = null;
        if (integers) {
            classes = 0;
            for (int i = 0; i < y.length; i++) {
                y[i] = Integer.parseInt(rawLabels[i]);
                classes = Math.max(classes, y[i] + 1);
            }
        } else {
            Map<String, Integer> ids = new TreeMap<>();
            for (String s : rawLabels) {
                ids.put(s, 0);
            }
            int next = 0;
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                e.setValue(next++);
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = ids.get(rawLabels[i]);
            }
            classes = ids.size();
            labelNames = List.copyOf(ids.keySet());
        }
        LabeledData data = new LabeledData(file.toString(), x, y, new Shape(cols - 1), classes);
        return labelNames == null ? data : data.withClassNames(labelNames);
    }

    private static boolean isNumericRow(String[] row, int skip) {
        for (int i = 0; i < row.length; i++) {
            if (i != skip && !isNumber(row[i].trim()) && i != row.length - 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String s) {
        try {
            Float.parseFloat(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
