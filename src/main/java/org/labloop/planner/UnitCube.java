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

    /** Where {@code point} lies in the unit cube: continuous values scaled, a level at the centre of its slice. */
    static double[] toUnit(SearchSpace space, Point point) {
        List<Parameter> params = space.parameters();
        double[] u = new double[params.size()];
        for (int i = 0; i < u.length; i++) {
            Parameter p = params.get(i);
            Object v = point.values().get(p.name());
            u[i] = switch (p) {
                case ContinuousParameter c ->
                    c.bound().width() == 0 ? 0.5 : c.bound().toUnit(((Number) v).doubleValue());
                case DiscreteParameter d ->
                    centre(
                            p,
                            v,
                            d.values().indexOf(((Number) v).doubleValue()),
                            d.values().size());
                case CategoricalParameter c ->
                    centre(p, v, c.choices().indexOf(v), c.choices().size());
                case MoleculeParameter m ->
                    centre(
                            p,
                            v,
                            m.choices().stream()
                                    .map(MoleculeParameter.Molecule::name)
                                    .toList()
                                    .indexOf(v),
                            m.choices().size());
            };
        }
        return u;
    }

    /** The centre of level {@code index}'s slice of [0, 1); a value that is no level is an error, not the first. */
    private static double centre(Parameter p, Object value, int index, int n) {
        if (index < 0) {
            throw new PlanningException(
                    "parameter " + p.name() + " has no level " + value + "; a pool point must use its levels");
        }
        return (index + 0.5) / n;
    }

    /**
     * For each design row in turn, the untaken pool point nearest to it in the unit cube (ties to the earlier pool
     * row): a space-filling design carried over to a finite pool.
     */
    static List<Point> nearestInPool(SearchSpace space, List<Point> pool, Set<Point> taken, double[][] rows) {
        List<Point> free = new ArrayList<>();
        for (Point p : pool) {
            if (!taken.contains(p)) {
                free.add(p);
            }
        }
        if (free.size() < rows.length) {
            throw new SearchSpaceExhaustedException("the candidate pool has " + free.size()
                    + " untried points left but " + rows.length + " were asked for; lower the budget or enlarge the"
                    + " pool");
        }
        double[][] unit = new double[free.size()][];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = toUnit(space, free.get(i));
        }
        boolean[] used = new boolean[unit.length];
        List<Point> out = new ArrayList<>();
        for (double[] row : rows) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int i = 0; i < unit.length; i++) {
                if (used[i]) {
                    continue;
                }
                double d = 0;
                for (int j = 0; j < row.length; j++) {
                    double diff = unit[i][j] - row[j];
                    d += diff * diff;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = i;
                }
            }
            used[best] = true;
            out.add(free.get(best));
        }
        return out;
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
