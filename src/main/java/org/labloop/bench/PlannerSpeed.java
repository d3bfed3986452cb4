package org.labloop.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.labloop.core.Table;
import org.labloop.planner.Planner;
import org.labloop.planner.PlannerRegistry;
import org.labloop.planner.PlannerSpec;
import org.labloop.planner.PlanningRequest;
import org.labloop.space.Observation;
import org.labloop.space.Point;

/**
 * How long the planner takes to propose a batch from a pool, hyperparameter fitting included, and how much memory the
 * pool costs: the figures a person waiting at the instrument cares about.
 */
public final class PlannerSpeed {
    private PlannerSpeed() {}

    /** Times of {@code calls} proposals (the first one separately: it pays for class loading and JIT warm-up). */
    public record Result(
            String label,
            int poolRows,
            int observations,
            int batch,
            double firstMs,
            double medianMs,
            double maxMs,
            int calls,
            long poolBytes) {}

    /**
     * Observes {@code observations} random rows of the pool, then asks the planner {@code calls} times for a batch of
     * {@code batch} from the rest.
     */
    public static Result measure(
            String label, PoolBenchmarkConfig config, int observations, int batch, int calls, long seed) {
        long before = usedHeap();
        PoolBenchmark.Problem problem = PoolBenchmark.problem(config);
        long poolBytes = Math.max(0, usedHeap() - before);
        SplittableRandom random = new SplittableRandom(seed);
        List<Point> pool = problem.pool();
        List<Observation> observed = new ArrayList<>();
        int[] order = random.ints(0, pool.size())
                .distinct()
                .limit(Math.min(observations, pool.size()))
                .toArray();
        for (int i : order) {
            Point p = pool.get(i);
            observed.add(Observation.of(
                    p, Map.of(problem.objective().name(), problem.outcome().get(p))));
        }
        Planner planner = PlannerRegistry.standard().create(new PlannerSpec(config.planner(), config.plannerOptions()));
        double[] ms = new double[calls];
        for (int c = 0; c < calls; c++) {
            long t0 = System.nanoTime();
            planner.propose(new PlanningRequest(
                    problem.space(),
                    List.of(problem.objective()),
                    observed,
                    List.of(),
                    batch,
                    Optional.of(pool),
                    new SplittableRandom(seed + c),
                    seed));
            ms[c] = (System.nanoTime() - t0) / 1e6;
        }
        double first = ms[0];
        double[] rest = calls > 1 ? Arrays.copyOfRange(ms, 1, calls) : ms.clone();
        Arrays.sort(rest);
        double median = rest.length % 2 == 1
                ? rest[rest.length / 2]
                : 0.5 * (rest[rest.length / 2 - 1] + rest[rest.length / 2]);
        return new Result(
                label, pool.size(), observed.size(), batch, first, median, rest[rest.length - 1], calls, poolBytes);
    }

    /**
     * A synthetic pool of {@code rows} candidates: five numeric columns with 10 to 40 levels, two categorical ones,
     * and an objective {@code y} that is smooth in the numbers with a categorical offset, so a model can learn it.
     */
    public static Table synthetic(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] solvents = {"EtOH", "MeCN", "DMSO", "THF", "DMF", "toluene"};
        String[] bases = {"K2CO3", "Cs2CO3", "KOAc", "Et3N"};
        List<List<String>> cells = new ArrayList<>(rows);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (cells.size() < rows) {
            double a = r.nextInt(40) / 39.0;
            double b = r.nextInt(30) / 29.0;
            double c = r.nextInt(20) / 19.0;
            double d = r.nextInt(10) / 9.0;
            double e = r.nextInt(25) / 24.0;
            int s = r.nextInt(solvents.length);
            int k = r.nextInt(bases.length);
            String key = a + "," + b + "," + c + "," + d + "," + e + "," + s + "," + k;
            if (!seen.add(key)) {
                continue;
            }
            double y = 100 * Math.exp(-((a - 0.7) * (a - 0.7) + (b - 0.3) * (b - 0.3)) * 3) * (0.6 + 0.4 * c)
                    - 10 * d * e
                    + 5 * s
                    - 3 * k;
            cells.add(List.of(
                    Double.toString(a),
                    Double.toString(b),
                    Double.toString(c),
                    Double.toString(d),
                    Double.toString(e),
                    solvents[s],
                    bases[k],
                    Double.toString(y)));
        }
        return new Table("synthetic-" + rows, List.of("a", "b", "c", "d", "e", "solvent", "base", "y"), cells);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
