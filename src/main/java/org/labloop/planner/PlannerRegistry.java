package org.labloop.planner;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/** Planners by name. {@link #standard()} holds every planner that ships with LabLoop. */
public final class PlannerRegistry {
    private final Map<String, Function<PlannerSpec, Planner>> factories;

    private PlannerRegistry(Map<String, Function<PlannerSpec, Planner>> factories) {
        this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
    }

    public static PlannerRegistry standard() {
        Map<String, Function<PlannerSpec, Planner>> f = new LinkedHashMap<>();
        f.put(RandomPlanner.NAME, RandomPlanner::new);
        f.put(SobolPlanner.NAME, SobolPlanner::new);
        f.put(LatinHypercubePlanner.NAME, LatinHypercubePlanner::new);
        f.put(BayesianPlanner.NAME, BayesianPlanner::new);
        return new PlannerRegistry(f);
    }

    /** A copy of this registry with one more planner. */
    public PlannerRegistry with(String name, Function<PlannerSpec, Planner> factory) {
        Map<String, Function<PlannerSpec, Planner>> f = new LinkedHashMap<>(factories);
        f.put(Objects.requireNonNull(name), Objects.requireNonNull(factory));
        return new PlannerRegistry(f);
    }

    public Set<String> names() {
        return factories.keySet();
    }

    public Planner create(PlannerSpec spec) {
        Function<PlannerSpec, Planner> factory = factories.get(spec.type());
        if (factory == null) {
            throw new PlanningException(
                    "unknown planner type '" + spec.type() + "'; known planners: " + String.join(", ", names()));
        }
        return factory.apply(spec);
    }
}
