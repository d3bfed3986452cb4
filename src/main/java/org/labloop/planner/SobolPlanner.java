package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.hipparchus.random.SobolSequenceGenerator;
import org.labloop.space.Point;

/**
 * Space-filling design from a Sobol sequence under a random digital shift (every coordinate's binary digits XORed with
 * a mask drawn from the campaign's seed), so each seed gets its own design with the sequence's uniformity intact, and
 * the same seed the same design. Stateless, so a resumed campaign continues the same design: the n-th proposal is the
 * n-th shifted Sobol point, where n counts everything proposed before.
 */
public final class SobolPlanner extends ModelFreePlanner {
    public static final String NAME = "sobol";
    private static final int MAX_DIMENSION = 1000;
    /** Hipparchus gives each coordinate as an integer of this many bits over 2^BITS. */
    private static final int BITS = 52;

    private static final double SCALE = Math.pow(2, BITS);

    public SobolPlanner(PlannerSpec spec) {
        super(NAME, "3", "space-filling", spec);
    }

    @Override
    List<Point> design(PlanningRequest request, Set<Point> taken) {
        Sequence sequence = new Sequence(request);
        List<Point> out = new ArrayList<>();
        int guard = 0;
        while (out.size() < request.count()) {
            Point p = UnitCube.toPoint(request.space(), sequence.next());
            if (taken.add(p)) {
                out.add(p);
            } else if (++guard > 100_000) {
                throw new PlanningException("sobol found no untried point after 100000 draws; widen the space");
            }
        }
        return out;
    }

    @Override
    double[][] rows(PlanningRequest request, int n) {
        Sequence sequence = new Sequence(request);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = sequence.next();
        }
        return out;
    }

    /**
     * The request's shifted Sobol points in order, from the n-th on, where n counts everything measured or pending.
     */
    private static final class Sequence {
        private final SobolSequenceGenerator sobol;
        private final long[] mask;
        private double[] next;

        Sequence(PlanningRequest request) {
            int d = request.space().size();
            if (d > MAX_DIMENSION) {
                throw new PlanningException("sobol supports up to " + MAX_DIMENSION + " parameters, got " + d);
            }
            sobol = new SobolSequenceGenerator(d);
            mask = shift(d, request.seed());
            // skipTo returns the point at that index and leaves the generator at the next one.
            next = sobol.skipTo(
                    request.observations().size() + request.pending().size());
        }

        double[] next() {
            double[] out = shifted(next, mask);
            next = sobol.nextVector();
            return out;
        }
    }

    /** One {@link #BITS}-bit mask per coordinate, from the campaign's seed. */
    static long[] shift(int dimensions, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x50B01L);
        long[] mask = new long[dimensions];
        for (int i = 0; i < dimensions; i++) {
            mask[i] = random.nextLong() & ((1L << BITS) - 1);
        }
        return mask;
    }

    static double[] shifted(double[] point, long[] mask) {
        double[] out = new double[point.length];
        for (int i = 0; i < point.length; i++) {
            long digits = (long) (point[i] * SCALE);
            out[i] = (digits ^ mask[i]) / SCALE;
        }
        return out;
    }
}
