package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.labloop.space.Point;

/** Uniform random search: the baseline every other planner has to beat. */
public final class RandomPlanner extends ModelFreePlanner {
    public static final String NAME = "random";

    public RandomPlanner(PlannerSpec spec) {
        super(NAME, "1", "random", spec);
    }

    @Override
    List<Point> design(PlanningRequest request, Set<Point> taken) {
        List<Point> out = new ArrayList<>();
        while (out.size() < request.count()) {
            Point p = UnitCube.toPoint(request.space(), rows(request, 1)[0]);
            if (taken.add(p)) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    double[][] rows(PlanningRequest request, int n) {
        double[][] out = new double[n][request.space().size()];
        for (double[] row : out) {
            for (int i = 0; i < row.length; i++) {
                row[i] = request.random().nextDouble();
            }
        }
        return out;
    }

    /** Every untried row of a pool equally likely (nearest to a random point would favour isolated rows). */
    @Override
    List<Point> fromPool(PlanningRequest request, Set<Point> taken) {
        return UnitCube.randomFromPool(request.pool().orElseThrow(), taken, request.count(), request.random());
    }
}
