package org.labloop.planner;

import java.util.Map;
import java.util.Objects;
import org.labloop.space.Point;

/**
 * A point to run, with a short reason ({@code rationale}: "explore", "exploit", "space-filling", ...) and the numbers
 * behind it ({@code details}: predicted means and uncertainties, acquisition value); both are recorded with the
 * proposal event.
 */
public record Proposal(Point point, String rationale, Map<String, Double> details) {
    public Proposal {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(rationale, "rationale");
        details = Map.copyOf(details);
    }

    public static Proposal of(Point point, String rationale) {
        return new Proposal(point, rationale, Map.of());
    }
}
