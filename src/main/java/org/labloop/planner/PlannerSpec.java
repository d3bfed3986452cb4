package org.labloop.planner;

import java.util.Map;
import java.util.Objects;

/** A planner as a campaign file names it: a registry type and its options. */
public record PlannerSpec(String type, Map<String, Object> options) {
    public PlannerSpec {
        Objects.requireNonNull(type, "type");
        options = Map.copyOf(options);
    }

    public static PlannerSpec of(String type) {
        return new PlannerSpec(type, Map.of());
    }
}
