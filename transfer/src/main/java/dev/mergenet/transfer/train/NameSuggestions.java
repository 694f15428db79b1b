package dev.mergenet.transfer.train;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** The closest known names to a misspelt one (edit distance, then substring matches first). */
public final class NameSuggestions {
    private NameSuggestions() {}

    public static List<String> closest(String wanted, Collection<String> known, int count) {
        return known.stream()
                .sorted(Comparator.comparingInt((String k) -> score(wanted, k)).thenComparing(k -> k))
                .limit(count).toList();
    }

    private static int score(String wanted, String k) {
        String a = wanted.toLowerCase();
        String b = k.toLowerCase();
        int d = distance(a, b);
        return b.contains(a) || a.contains(b) ? d / 2 : d;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
