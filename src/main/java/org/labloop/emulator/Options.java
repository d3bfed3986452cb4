package org.labloop.emulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of emulator options as they come from a campaign file (YAML or JSON scalars, lists and maps), so every
 * emulator reports a wrong type the same way.
 */
final class Options {
    private Options() {}

    static String string(String type, Map<String, Object> options, String key, String fallback) {
        Object v = options.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw wrongType(type, key, "a string", v);
        }
        return s;
    }

    static String requireString(String type, Map<String, Object> options, String key) {
        String s = string(type, options, key, null);
        if (s == null || s.isBlank()) {
            throw new EmulationException(
                    "emulator '" + type + "' needs option '" + key + "' (a string)", key, null, List.of());
        }
        return s;
    }

    static double number(String type, Map<String, Object> options, String key, double fallback) {
        Object v = options.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw wrongType(type, key, "a finite number", v);
        }
        return n.doubleValue();
    }

    /** A list of strings; a single string counts as a list of one. Empty list when the option is absent. */
    static List<String> stringList(String type, Map<String, Object> options, String key) {
        Object v = options.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            throw wrongType(type, key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw wrongType(type, key, "a list of strings", v);
            }
            out.add(s);
        }
        return Collections.unmodifiableList(out);
    }

    /** A map from string to string, in the order written. Empty map when the option is absent. */
    static Map<String, String> stringMap(String type, Map<String, Object> options, String key) {
        Object v = options.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw wrongType(type, key, "a map of names to names", v);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof String s)) {
                throw wrongType(type, key, "a map of names to names", v);
            }
            out.put(k, s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static EmulationException wrongType(String type, String key, String expected, Object got) {
        String kind = got == null ? "null" : got.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        return new EmulationException(
                "emulator '" + type + "', option '" + key + "': expected " + expected + ", got " + kind + " " + got,
                key,
                null,
                List.of());
    }
}
