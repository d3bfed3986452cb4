package org.labloop.space;

import java.util.Objects;

/** A real-valued parameter within a bound, such as a temperature in degC. */
public record ContinuousParameter(String name, Bound bound, String unit) implements Parameter {
    public ContinuousParameter {
        Parameter.checkName(name);
        Objects.requireNonNull(bound, "bound");
        unit = unit == null ? "" : unit;
    }

    @Override
    public String reject(Object value) {
        if (!(value instanceof Number n)) {
            return "expected a number for " + name + ", got " + value;
        }
        double x = n.doubleValue();
        return bound.contains(x) ? null : name + " = " + x + " is outside [" + bound.min() + ", " + bound.max() + "]";
    }
}
