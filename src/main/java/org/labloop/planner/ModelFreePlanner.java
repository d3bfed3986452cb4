package org.labloop.planner;

import java.util.List;
import java.util.Set;
import org.labloop.space.Point;

/**
 * What the planners that learn nothing share: no options, a check that a finite space still has room, and a pool
 * served by its points nearest to the design's. Subclasses only say how to lay out points in the unit cube. They ignore
 * outcome constraints: without a model there is nothing to predict feasibility with, and a space-filling design is
 * meant to cover the space, infeasible corners included.
 */
abstract class ModelFreePlanner implements Planner {
    private final String name;
    private final String version;
    private final String rationale;

    ModelFreePlanner(String name, String version, String rationale, PlannerSpec spec) {
        if (!spec.options().isEmpty()) {
            throw new PlanningException("planner '" + name + "' takes no options, got "
                    + spec.options().keySet());
        }
        this.name = name;
        this.version = version;
        this.rationale = rationale;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String version() {
        return version;
    }

    @Override
    public final List<Proposal> propose(PlanningRequest request) {
        List<Point> points;
        if (request.pool().isPresent()) {
            points = fromPool(request, UnitCube.taken(request));
        } else if (UnitCube.cardinality(request.space()) >= 0) {
            Set<Point> taken = UnitCube.taken(request);
            UnitCube.checkRoom(request.space(), taken, request.count());
            points = design(request, taken);
        } else {
            // A space with a continuous dimension: a new draw equals an earlier point with probability zero, so
            // only the pending points are checked, which keeps a long campaign's proposals O(1) in its history.
            points = design(request, new java.util.HashSet<>(request.pending()));
        }
        return points.stream().map(p -> Proposal.of(p, rationale)).toList();
    }

    /** {@code request.count()} distinct points of the space, none in {@code taken} (which it may add to). */
    abstract List<Point> design(PlanningRequest request, Set<Point> taken);

    /** The next {@code n} rows of the design in the unit cube, one coordinate per parameter. */
    abstract double[][] rows(PlanningRequest request, int n);

    /** {@code request.count()} untaken points of the request's pool: those nearest to the design's next rows. */
    List<Point> fromPool(PlanningRequest request, Set<Point> taken) {
        return UnitCube.nearestInPool(
                request.space(), request.pool().orElseThrow(), taken, rows(request, request.count()));
    }
}
