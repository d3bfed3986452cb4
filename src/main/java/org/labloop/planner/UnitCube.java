package org.labloop.planner;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

/** Maps the unit cube onto a search space: one coordinate per parameter, levels as equal slices of [0, 1). */
final class UnitCube {
    private UnitCube() {}

    static Point toPoint(SearchSpace space, double[] u) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<Parameter> params = space.parameters();
        for (int i = 0; i < params.size(); i++) {
            values.put(params.get(i).name(), valueAt(params.get(i), u[i]));
        }
        return new Point(values);
    }

    private static Object valueAt(Parameter p, double u) {
        return switch (p) {
            case ContinuousParameter c -> c.bound().fromUnit(u);
            case DiscreteParameter d -> d.values().get(level(u, d.values().size()));
            case CategoricalParameter c -> c.choices().get(level(u, c.choices().size()));
            case MoleculeParameter m ->
                m.choices().get(level(u, m.choices().size())).name();
        };
    }

    private static int level(double u, int n) {
        return Math.min(n - 1, (int) Math.floor(u * n));
    }

    /** Number of distinct points, or -1 when a continuous parameter makes it infinite (or it overflows). */
    static long cardinality(SearchSpace space) {
        long n = 1;
        for (Parameter p : space.parameters()) {
            int k = switch (p) {
                case ContinuousParameter c -> c.bound().width() == 0 ? 1 : -1;
                case DiscreteParameter d -> d.values().size();
                case CategoricalParameter c -> c.choices().size();
                case MoleculeParameter m -> m.choices().size();
            };
            if (k < 0 || n > Long.MAX_VALUE / k) {
                return -1;
            }
            n *= k;
        }
        return n;
    }

    /** Points already measured or still running: a planner never proposes them again. */
    static Set<Point> taken(PlanningRequest request) {
        Set<Point> taken = new HashSet<>(request.pending());
        request.observations().forEach(o -> taken.add(o.point()));
        return taken;
    }

    /** Picks {@code count} distinct, untaken points of the pool at random. */
    static List<Point> randomFromPool(List<Point> pool, Set<Point> taken, int count, RandomGenerator random) {
        List<Point> free = new ArrayList<>();
        for (Point p : pool) {
            if (!taken.contains(p)) {
                free.add(p);
            }
        }
        if (free.size() < count) {
            throw new SearchSpaceExhaustedException("the candidate pool has " + free.size()
                    + " untried points left but " + count + " were asked for; lower the budget or enlarge the pool");
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(free.size() - i);
            Point tmp = free.get(i);
            free.set(i, free.get(j));
            free.set(j, tmp);
        }
        return List.copyOf(free.subList(0, count));
    }

    static void checkRoom(SearchSpace space, Set<Point> taken, int count) {
        long card = cardinality(space);
        if (card >= 0 && card - taken.size() < count) {
            throw new SearchSpaceExhaustedException("the search space has " + Math.max(0, card - taken.size())
                    + " untried points left but " + count + " were asked for; lower the budget or widen the space");
        }
    }
}
