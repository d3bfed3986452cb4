package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.labloop.space.Point;

/** Uniform random search: the baseline every other planner has to beat. */
public final class RandomPlanner implements Planner {
    public static final String NAME = "random";

    public RandomPlanner(PlannerSpec spec) {
        if (!spec.options().isEmpty()) {
            throw new PlanningException(
                    "planner 'random' takes no options, got " + spec.options().keySet());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public List<Proposal> propose(PlanningRequest request) {
        Set<Point> taken = UnitCube.taken(request);
        if (request.pool().isPresent()) {
            return UnitCube.randomFromPool(request.pool().get(), taken, request.count(), request.random()).stream()
                    .map(p -> Proposal.of(p, "random"))
                    .toList();
        }
        UnitCube.checkRoom(request.space(), taken, request.count());
        List<Proposal> out = new ArrayList<>();
        int d = request.space().size();
        while (out.size() < request.count()) {
            double[] u = new double[d];
            for (int i = 0; i < d; i++) {
                u[i] = request.random().nextDouble();
            }
            Point p = UnitCube.toPoint(request.space(), u);
            if (taken.add(p)) {
                out.add(Proposal.of(p, "random"));
            }
        }
        return out;
    }
}
