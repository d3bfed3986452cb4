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
public final class SobolPlanner implements Planner {
    public static final String NAME = "sobol";
    private static final int MAX_DIMENSION = 1000;

    public SobolPlanner(PlannerSpec spec) {
        if (!spec.options().isEmpty()) {
            throw new PlanningException(
                    "planner 'sobol' takes no options, got " + spec.options().keySet());
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
        int d = request.space().size();
        if (d > MAX_DIMENSION) {
            throw new PlanningException("sobol supports up to " + MAX_DIMENSION + " parameters, got " + d);
        }
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(d);
        sobol.skipTo(1 + request.observations().size() + request.pending().size());
        List<Proposal> out = new ArrayList<>();
        int guard = 0;
        while (out.size() < request.count()) {
            double[] u = sobol.nextVector();
            Point p = UnitCube.toPoint(request.space(), u);
            if (taken.add(p)) {
                out.add(Proposal.of(p, "space-filling"));
            } else if (++guard > 100_000) {
                throw new PlanningException("sobol found no untried point after 100000 draws; widen the space");
            }
        }
        return out;
    }
}
