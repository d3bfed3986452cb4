package org.labloop.bench;

import java.util.List;
import java.util.Map;

/**
 * What a pool benchmark measured: per repeat the objective values in the order the planner picked them, and a summary.
 */
public record BenchResult(Summary summary, List<Repeat> repeats) {
    public BenchResult {
        repeats = List.copyOf(repeats);
    }

    /**
     * One repeat: its seed, the values revealed in pick order, and whether each pick met the outcome constraints
     * (all true without constraints).
     */
    public record Repeat(long seed, List<Double> values, List<Boolean> feasible, double meanProposeMillis) {
        public Repeat {
            values = List.copyOf(values);
            feasible = List.copyOf(feasible);
            if (feasible.size() != values.size()) {
                throw new IllegalArgumentException("a repeat needs one feasibility flag per value, got "
                        + feasible.size() + " for " + values.size());
            }
        }

        /** A repeat without outcome constraints: every pick counts. */
        public Repeat(long seed, List<Double> values, double meanProposeMillis) {
            this(seed, values, values.stream().map(v -> true).toList(), meanProposeMillis);
        }
    }

    /**
     * Experiments needed to reach a level: median, mean and worst over repeats (a repeat that never reaches it counts
     * budget + 1), and how many repeats reached it.
     */
    public record Reach(double level, double median, double mean, int worst, int reached) {}

    /**
     * Under outcome constraints only feasible picks count: levels are those of the feasible rows, a level is reached by
     * a feasible pick, and best-so-far is the best feasible value (a repeat with no feasible pick yet counts as the
     * worst feasible row).
     *
     * @param toTarget experiments to reach the target, when one was given
     * @param bestSoFar mean over repeats of the best value after 10, 20, 30 and 50 experiments, those within the
     *     budget, and after the whole budget when it is below 50
     * @param points distinct parameter combinations in the table (the pool the planner picks from)
     * @param constraints the outcome constraints, as written; empty when there are none
     * @param feasibleFraction share of all picks, over all repeats, that met the constraints (1 without constraints)
     */
    public record Summary(
            Reach toBest,
            Reach toTop1pct,
            java.util.Optional<Reach> toTarget,
            Map<Integer, Double> bestSoFar,
            List<String> constraints,
            double feasibleFraction,
            int points) {
        public Summary {
            bestSoFar = Map.copyOf(bestSoFar);
            constraints = List.copyOf(constraints);
        }
    }
}
