package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.labloop.space.Point;

/** Each batch is a Latin hypercube: every parameter's range cut into {@code count} slices, one point per slice. */
public final class LatinHypercubePlanner extends ModelFreePlanner {
    public static final String NAME = "lhs";

    public LatinHypercubePlanner(PlannerSpec spec) {
        super(NAME, "2", "space-filling", spec);
    }

    @Override
    List<Point> design(PlanningRequest request, Set<Point> taken) {
        int n = request.count();
        int d = request.space().size();
        List<Point> out = new ArrayList<>();
        for (int attempt = 0; out.size() < n; attempt++) {
            if (attempt > 1000) {
                throw new PlanningException("lhs found no untried points after 1000 designs; widen the space");
            }
            for (double[] row : design(n, d, request)) {
                Point p = UnitCube.toPoint(request.space(), row);
                if (out.size() < n && taken.add(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    @Override
    double[][] rows(PlanningRequest request, int n) {
        return design(n, request.space().size(), request);
    }

    private static double[][] design(int n, int d, PlanningRequest request) {
        double[][] u = new double[n][d];
        for (int j = 0; j < d; j++) {
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int k = request.random().nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[k];
                perm[k] = t;
            }
            for (int i = 0; i < n; i++) {
                u[i][j] = (perm[i] + request.random().nextDouble()) / n;
            }
        }
        return u;
    }
}
