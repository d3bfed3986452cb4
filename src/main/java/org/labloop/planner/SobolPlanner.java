package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hipparchus.random.SobolSequenceGenerator;
import org.labloop.space.Point;

/**
 * Space-filling design from a Sobol sequence with a seeded random shift (Cranley-Patterson rotation). Stateless: the
 * n-th proposal of a campaign is the n-th shifted Sobol point, where n counts everything proposed before.
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
        // The shift comes from the campaign seed only, so every round continues the same sequence.
        double[] shift = new double[d];
        for (int i = 0; i < d; i++) {
            shift[i] = request.random().nextDouble();
        }
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(d);
        sobol.skipTo(request.observations().size() + request.pending().size());
        List<Proposal> out = new ArrayList<>();
        int guard = 0;
        while (out.size() < request.count()) {
            double[] u = sobol.nextVector();
            for (int i = 0; i < d; i++) {
                u[i] = (u[i] + shift[i]) % 1.0;
            }
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
