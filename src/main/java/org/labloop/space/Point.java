package org.labloop.space;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One assignment of values to parameters: a Double for numeric parameters, a String (the choice's name) for
 * categorical and molecule ones. Iteration order is the search space's declaration order.
 */
public record Point(Map<String, Object> values) {
    public Point {
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Double || v instanceof String)) {
                throw new IllegalArgumentException("value of " + e.getKey() + " must be a Double or a String, got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
        }
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public double number(String name) {
        Object v = values.get(name);
        if (v instanceof Double d) {
            return d;
        }
        throw new IllegalArgumentException("parameter " + name + " has no numeric value in " + values);
    }

    public String text(String name) {
        Object v = values.get(name);
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("parameter " + name + " has no text value in " + values);
    }
}
