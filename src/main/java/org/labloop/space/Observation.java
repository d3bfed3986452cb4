package org.labloop.space;

import java.util.Map;
import java.util.Objects;

/**
 * What came of running one point: its measured outcomes by objective name, or {@code failed} with no outcomes when the
 * experiment could not be completed (planners may learn that the region is infeasible).
 */
public record Observation(Point point, Map<String, Double> outcomes, boolean failed) {
    public Observation {
        Objects.requireNonNull(point, "point");
        outcomes = Map.copyOf(outcomes);
        for (Map.Entry<String, Double> e : outcomes.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("outcome " + e.getKey() + " is not finite: " + e.getValue());
            }
        }
    }

    public static Observation of(Point point, Map<String, Double> outcomes) {
        return new Observation(point, outcomes, false);
    }
}
