package org.labloop.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.labloop.space.Observation;
import org.labloop.space.OutcomeConstraint;

/**
 * One Gaussian process per outcome constraint, fitted to the observations that measured that outcome, and the
 * probability that a point satisfies every constraint: the product of the per-constraint probabilities, which treats
 * the constrained outcomes as independent given the point (Gardner et al. 2014, Gelbart et al. 2014). A constraint
 * nothing has measured yet has no model and counts as satisfied.
 */
final class Feasibility {
    /** A constraint and the model of its outcome. */
    record Model(OutcomeConstraint constraint, Gp gp) {}

    static final Feasibility NONE = new Feasibility(List.of());

    private final List<Model> models;

    private Feasibility(List<Model> models) {
        this.models = List.copyOf(models);
    }

    static Feasibility fit(
            List<OutcomeConstraint> constraints,
            List<Observation> observations,
            Encoding enc,
            int restarts,
            RandomGenerator random) {
        List<Model> models = new ArrayList<>();
        for (OutcomeConstraint c : constraints) {
            List<double[]> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (Observation o : observations) {
                Double v = o.outcomes().get(c.outcome());
                if (!o.failed() && v != null) {
                    x.add(enc.encode(o.point()));
                    y.add(v);
                }
            }
            if (!x.isEmpty()) {
                double[] ys = y.stream().mapToDouble(Double::doubleValue).toArray();
                models.add(new Model(c, Gp.fit(x.toArray(double[][]::new), ys, restarts, random, enc.metric())));
            }
        }
        Model completes = completion(observations, enc, restarts, random);
        if (completes != null) {
            models.add(completes);
        }
        return new Feasibility(models);
    }

    /** The pseudo-outcome of {@link #completion}: 1 for an experiment that completed, 0 for one that failed. */
    static final OutcomeConstraint COMPLETES =
            new OutcomeConstraint(Feasibility.COMPLETES_OUTCOME, OutcomeConstraint.Comparison.AT_LEAST, 0.5);

    static final String COMPLETES_OUTCOME = "completes";

    /**
     * Failed experiments are evidence that their region may not work (a blocked line, a precipitate, a reading that
     * never came): a model of "did it complete" (1 or 0, regressed with a Gaussian process, a cheap stand-in for a GP
     * classifier) whose probability of reaching 0.5 weighs the acquisition like any constraint. Null while nothing
     * failed, so campaigns without failures plan exactly as before.
     */
    private static Model completion(
            List<Observation> observations, Encoding enc, int restarts, RandomGenerator random) {
        int failed = 0;
        for (Observation o : observations) {
            if (o.failed()) {
                failed++;
            }
        }
        if (failed == 0 || failed == observations.size()) {
            return null;
        }
        double[][] x = new double[observations.size()][];
        double[] y = new double[observations.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = enc.encode(observations.get(i).point());
            y[i] = observations.get(i).failed() ? 0 : 1;
        }
        return new Model(COMPLETES, Gp.fit(x, y, restarts, random, enc.metric()));
    }

    /**
     * The request with only the constraints some completed observation has measured: one that nothing has measured
     * has no model and counts as satisfied (without this, no observation would count as feasible and the incumbent
     * would be undefined).
     */
    static PlanningRequest inForce(PlanningRequest r) {
        List<OutcomeConstraint> measured = new ArrayList<>();
        for (OutcomeConstraint c : r.constraints()) {
            for (Observation o : r.observations()) {
                if (!o.failed() && o.outcomes().containsKey(c.outcome())) {
                    measured.add(c);
                    break;
                }
            }
        }
        if (measured.size() == r.constraints().size()) {
            return r;
        }
        return new PlanningRequest(
                r.space(),
                r.objectives(),
                measured,
                r.observations(),
                r.pending(),
                r.count(),
                r.pool(),
                r.random(),
                r.seed());
    }

    /** True when {@code o} measured every constrained outcome and each satisfies its constraint. */
    static boolean satisfied(List<OutcomeConstraint> constraints, Observation o) {
        for (OutcomeConstraint c : constraints) {
            Double v = o.outcomes().get(c.outcome());
            if (o.failed() || v == null || !c.satisfiedBy(v)) {
                return false;
            }
        }
        return true;
    }

    boolean isEmpty() {
        return models.isEmpty();
    }

    List<Model> models() {
        return models;
    }

    /** Kriging believer for every constraint model, as for the objective's. */
    Feasibility withFantasies(double[][] extra) {
        if (extra.length == 0 || models.isEmpty()) {
            return this;
        }
        List<Model> out = new ArrayList<>();
        for (Model m : models) {
            out.add(new Model(m.constraint(), m.gp().withFantasies(extra)));
        }
        return new Feasibility(out);
    }

    /** Log probability that the point with features {@code f} satisfies every constraint. */
    double logProbability(double[] f) {
        double[] mean = new double[1];
        double[] var = new double[1];
        double sum = 0;
        for (Model m : models) {
            m.gp().predict(new double[][] {f}, 0, 1, mean, var);
            sum += Acquisition.logFeasibility(m.constraint(), mean[0], Math.sqrt(var[0]));
        }
        return sum;
    }

    /** {@link #logProbability} of every row of {@code features}, into {@code out}. */
    void logProbabilityAll(double[][] features, double[] out) {
        Arrays.fill(out, 0, features.length, 0);
        if (models.isEmpty()) {
            return;
        }
        double[] mean = new double[features.length];
        double[] var = new double[features.length];
        for (Model m : models) {
            m.gp().predictAll(features, mean, var);
            for (int i = 0; i < features.length; i++) {
                out[i] += Acquisition.logFeasibility(m.constraint(), mean[i], Math.sqrt(var[i]));
            }
        }
    }
}
