package org.labloop.space;

import java.util.HashSet;
import java.util.List;

/** A numeric parameter that takes one of a listed set of values, such as a plate's 3 concentrations. */
public record DiscreteParameter(String name, List<Double> values, String unit) implements Parameter {
    public DiscreteParameter {
        Parameter.checkName(name);
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("discrete parameter " + name + " needs at least one value");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("discrete parameter " + name + " has a non-finite value " + v);
            }
        }
        if (new HashSet<>(values).size() != values.size()) {
            throw new IllegalArgumentException("discrete parameter " + name + " lists a value twice: " + values);
        }
        unit = unit == null ? "" : unit;
    }

    @Override
    public String reject(Object value) {
        if (!(value instanceof Number n)) {
            return "expected a number for " + name + ", got " + value;
        }
        return values.contains(n.doubleValue()) ? null : name + " = " + n + " is not one of " + values;
    }
}
