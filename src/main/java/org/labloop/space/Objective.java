package org.labloop.space;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A measured outcome to optimise. {@code target} (optional) is the value at which the goal counts as met;
 * {@code threshold} (optional) is the worst acceptable value, used as a reference point for multi-objective work.
 */
public record Objective(
        String name, Direction direction, String unit, OptionalDouble target, OptionalDouble threshold) {
    public Objective {
        Parameter.checkName(name);
        Objects.requireNonNull(direction, "direction");
        unit = unit == null ? "" : unit;
        target = target == null ? OptionalDouble.empty() : target;
        threshold = threshold == null ? OptionalDouble.empty() : threshold;
    }

    public Objective(String name, Direction direction) {
        this(name, direction, "", OptionalDouble.empty(), OptionalDouble.empty());
    }

    /** True when {@code value} meets the target (always false without one). */
    public boolean targetMet(double value) {
        return target.isPresent()
                && (direction == Direction.MAXIMISE ? value >= target.getAsDouble() : value <= target.getAsDouble());
    }
}
