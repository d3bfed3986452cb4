package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.labloop.space.Point;

/** Each batch is a Latin hypercube: every parameter's range cut into {@code count} slices, one point per slice. */
public final class LatinHypercubePlanner implements Planner {
    public static final String NAME = "lhs";

    public LatinHypercubePlanner(PlannerSpec spec) {
        if (!spec.options().isEmpty()) {
            throw new PlanningException(
                    "planner 'lhs' takes no options, got " + spec.options().keySet());
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
                    .map(p -> Proposal.of(p, "space-filling"))
                    .toList();
        }
        UnitCube.checkRoom(request.space(), taken, request.count());
        int n = request.count();
        int d = request.space().size();
        List<Proposal> out = new ArrayList<>();
        for (int attempt = 0; out.size() < n; attempt++) {
            if (attempt > 1000) {
                throw new PlanningException("lhs found no untried points after 1000 designs; widen the space");
            }
            double[][] u = design(n, d, request);
            for (double[] row : u) {
                Point p = UnitCube.toPoint(request.space(), row);
                if (out.size() < n && taken.add(p)) {
                    out.add(Proposal.of(p, "space-filling"));
                }
            }
        }
        return out;
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
