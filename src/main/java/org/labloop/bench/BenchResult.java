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

    /** One repeat: its seed and the values revealed, in pick order. */
    public record Repeat(long seed, List<Double> values, double meanProposeMillis) {
        public Repeat {
            values = List.copyOf(values);
        }
    }

    /**
     * Experiments needed to reach a level: median, mean and worst over repeats (a repeat that never reaches it counts
     * budget + 1), and how many repeats reached it.
     */
    public record Reach(double level, double median, double mean, int worst, int reached) {}

    /**
     * @param bestSoFar mean over repeats of the best value after 10, 20, 30 and 50 experiments (a repeat with a smaller
     *     budget keeps its best)
     */
    public record Summary(Reach toBest, Reach toTop1pct, Reach toTarget, Map<Integer, Double> bestSoFar) {
        public Summary {
            bestSoFar = Map.copyOf(bestSoFar);
        }
    }
}
