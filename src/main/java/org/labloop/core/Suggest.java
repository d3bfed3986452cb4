package org.labloop.core;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys and names, by edit distance. */
public final class Suggest {
    /** Longer words get no suggestion (keeps the distance table small on hostile input). */
    private static final int MAX_WORD = 100;

    private Suggest() {}

    /** The candidate closest to {@code word}, if it is close enough to be a plausible typo. */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        if (word.length() > MAX_WORD) {
            return Optional.empty();
        }
        String w = normalise(word);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (c.length() > MAX_WORD) {
                continue;
            }
            int d = distance(w, normalise(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= allowedDistance(w)) {
            return Optional.of(best);
        }
        if (w.length() >= 4) {
            for (String c : candidates) {
                String n = normalise(c);
                if (n.startsWith(w) || w.startsWith(n) || commonPrefix(w, n) >= Math.max(4, (w.length() + 1) / 2)) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    /** "did you mean 'x'? " or "" */
    public static String didYouMean(String word, Collection<String> candidates) {
        return closest(word, candidates).map(c -> "did you mean '" + c + "'? ").orElse("");
    }

    /** A hint for an unknown key: the closest allowed key, else all of them. */
    public static String unknownKey(String key, Collection<String> allowed) {
        return closest(key, allowed)
                .map(c -> "did you mean '" + c + "'?")
                .orElse("allowed keys here: " + String.join(", ", allowed));
    }

    /** A hint for an unknown name: the closest known one, and all of them. */
    public static String unknownName(String name, Collection<String> known, String what) {
        String list = known.isEmpty() ? "there are none" : String.join(", ", known);
        return didYouMean(name, known) + what + ": " + list;
    }

    private static int commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static int allowedDistance(String w) {
        return w.length() <= 3 ? 1 : w.length() <= 8 ? 2 : 3;
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    }

    /** Levenshtein distance, counting a swap of two neighbouring letters as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
