package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;
import org.labloop.space.Objective;
import org.labloop.space.Observation;

/** Pareto dominance and fronts over objective vectors, each objective maximised or minimised. */
public final class Pareto {
    private Pareto() {}

    /**
     * True when {@code a} dominates {@code b}: at least as good in every objective and better in one. {@code minimise[i]}
     * says whether objective i is minimised.
     */
    public static boolean dominates(double[] a, double[] b, boolean[] minimise) {
        check(a, minimise);
        check(b, minimise);
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            double x = minimise[i] ? a[i] : -a[i];
            double y = minimise[i] ? b[i] : -b[i];
            if (x > y) {
                return false;
            }
            if (x < y) {
                better = true;
            }
        }
        return better;
    }

    /** Indices (ascending) of the rows of {@code values} that no other row dominates. Equal rows are all kept. */
    public static int[] nonDominated(double[][] values, boolean[] minimise) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < values.length && !dominated; j++) {
                dominated = j != i && dominates(values[j], values[i], minimise);
            }
            if (!dominated) {
                keep.add(i);
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The observations on the Pareto front of {@code objectives}, in their original order. Failed observations and
     * those missing an objective are left out.
     */
    public static List<Observation> front(List<Observation> observations, List<Objective> objectives) {
        List<Observation> usable = new ArrayList<>();
        for (Observation o : observations) {
            if (!o.failed() && objectives.stream().allMatch(obj -> o.outcomes().containsKey(obj.name()))) {
                usable.add(o);
            }
        }
        double[][] values = values(usable, objectives);
        List<Observation> out = new ArrayList<>();
        for (int i : nonDominated(values, minimise(objectives))) {
            out.add(usable.get(i));
        }
        return out;
    }

    /** The objective values of each observation, in the order of {@code objectives}. */
    public static double[][] values(List<Observation> observations, List<Objective> objectives) {
        double[][] out = new double[observations.size()][objectives.size()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < objectives.size(); j++) {
                Double v = observations.get(i).outcomes().get(objectives.get(j).name());
                if (v == null) {
                    throw new IllegalArgumentException("observation has no outcome for objective "
                            + objectives.get(j).name());
                }
                out[i][j] = v;
            }
        }
        return out;
    }

    /** Which of {@code objectives} are minimised. */
    public static boolean[] minimise(List<Objective> objectives) {
        boolean[] out = new boolean[objectives.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = objectives.get(j).direction() == org.labloop.space.Direction.MINIMISE;
        }
        return out;
    }

    private static void check(double[] v, boolean[] minimise) {
        if (v.length != minimise.length) {
            throw new IllegalArgumentException(
                    "objective vector has " + v.length + " values but " + minimise.length + " directions");
        }
    }
}
