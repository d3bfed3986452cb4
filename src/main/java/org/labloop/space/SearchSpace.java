package org.labloop.space;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The parameters a planner may vary, in the order the user declared them. */
public record SearchSpace(List<Parameter> parameters) {
    public SearchSpace {
        parameters = List.copyOf(parameters);
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("a search space needs at least one parameter");
        }
        Set<String> seen = new HashSet<>();
        for (Parameter p : parameters) {
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("parameter " + p.name() + " is declared twice");
            }
        }
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return parameters.stream().map(Parameter::name).toList();
    }

    public int size() {
        return parameters.size();
    }

    /** Every reason {@code point} is not in this space; empty when it is. */
    public List<String> violations(Point point) {
        List<String> out = new ArrayList<>();
        for (Parameter p : parameters) {
            Object v = point.values().get(p.name());
            if (v == null) {
                out.add("missing value for " + p.name());
                continue;
            }
            String why = p.reject(v);
            if (why != null) {
                out.add(why);
            }
        }
        for (String k : point.values().keySet()) {
            if (parameter(k).isEmpty()) {
                out.add(k + " is not a parameter of this space");
            }
        }
        return out;
    }

    /** Builds a point with values in declared order; throws when it is not in the space. */
    public Point point(Map<String, ?> values) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            if (values.containsKey(p.name())) {
                Object v = values.get(p.name());
                ordered.put(p.name(), v instanceof Number n ? (Object) n.doubleValue() : v);
            }
        }
        values.keySet().stream().filter(k -> !ordered.containsKey(k)).forEach(k -> ordered.put(k, values.get(k)));
        Point point = new Point(ordered);
        List<String> bad = violations(point);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("point not in search space: " + String.join("; ", bad));
        }
        return point;
    }
}
