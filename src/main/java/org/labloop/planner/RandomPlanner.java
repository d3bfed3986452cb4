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
        int d = request.space().size();
        while (out.size() < request.count()) {
            double[] u = new double[d];
            for (int i = 0; i < d; i++) {
                u[i] = request.random().nextDouble();
            }
            Point p = UnitCube.toPoint(request.space(), u);
            if (taken.add(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
