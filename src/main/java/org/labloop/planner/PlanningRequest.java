package org.labloop.planner;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.OutcomeConstraint;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

/**
 * Everything a planner may use: the space, the objectives, the outcome constraints proposals should respect, what has
 * been measured, what is still running, how many proposals are wanted, an optional finite pool of candidates
 * (pool-based benchmarks), a generator for this round and the campaign's seed. Model-free planners (random, Sobol,
 * Latin hypercube) ignore the constraints.
 *
 * <p>{@code random} is a fresh stream for this round only; {@code seed} stays the same for the whole campaign, for
 * designs laid out across several rounds (a resumed campaign must continue the same design).
 */
public record PlanningRequest(
        SearchSpace space,
        List<Objective> objectives,
        List<OutcomeConstraint> constraints,
        List<Observation> observations,
        List<Point> pending,
        int count,
        Optional<List<Point>> pool,
        RandomGenerator random,
        long seed) {

    public PlanningRequest {
        Objects.requireNonNull(space, "space");
        objectives = List.copyOf(objectives);
        constraints = List.copyOf(constraints);
        // A campaign's observations can run to thousands: a view of a growing list is already immutable, copying it
        // at every round would make proposing cost time in the campaign's length.
        observations = observations instanceof GrowingList.View<?> ? observations : List.copyOf(observations);
        pending = List.copyOf(pending);
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(random, "random");
        if (objectives.isEmpty()) {
            throw new IllegalArgumentException("a planning request needs at least one objective");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        Set<OutcomeConstraint> seen = new HashSet<>();
        for (OutcomeConstraint c : constraints) {
            if (!seen.add(c)) {
                throw new IllegalArgumentException("constraint " + c + " is given twice");
            }
        }
    }

    /** A request without outcome constraints. */
    public PlanningRequest(
            SearchSpace space,
            List<Objective> objectives,
            List<Observation> observations,
            List<Point> pending,
            int count,
            Optional<List<Point>> pool,
            RandomGenerator random,
            long seed) {
        this(space, objectives, List.of(), observations, pending, count, pool, random, seed);
    }
}
