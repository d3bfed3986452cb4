package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hipparchus.random.SobolSequenceGenerator;
import org.labloop.space.Point;

/**
 * Space-filling design from a Sobol sequence. Stateless, so a resumed campaign continues the same design: the n-th
 * proposal is the (n+1)-th Sobol point (the corner point 0 is skipped), where n counts everything proposed before. The
 * design does not depend on the seed; only pool-based picks and collisions in finite spaces use the generator.
 */
public final class SobolPlanner extends ModelFreePlanner {
    public static final String NAME = "sobol";
    private static final int MAX_DIMENSION = 1000;

    public SobolPlanner(PlannerSpec spec) {
        super(NAME, "space-filling", spec);
    }

    @Override
    List<Point> design(PlanningRequest request, Set<Point> taken) {
        int d = request.space().size();
        if (d > MAX_DIMENSION) {
            throw new PlanningException("sobol supports up to " + MAX_DIMENSION + " parameters, got " + d);
        }
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(d);
        sobol.skipTo(1 + request.observations().size() + request.pending().size());
        List<Point> out = new ArrayList<>();
        int guard = 0;
        while (out.size() < request.count()) {
            Point p = UnitCube.toPoint(request.space(), sobol.nextVector());
            if (taken.add(p)) {
                out.add(p);
            } else if (++guard > 100_000) {
                throw new PlanningException("sobol found no untried point after 100000 draws; widen the space");
            }
        }
        return out;
    }
}
