package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.labloop.space.Bound;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.OutcomeConstraint;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

/**
 * Maximise f(x) = x on [0, 1] subject to g(x) = x <= 0.6: the unconstrained optimum (x = 1) is infeasible and the
 * constrained one sits on the boundary, x = 0.6.
 */
class ConstrainedPlannerTest {
    private static final SearchSpace UNIT = new SearchSpace(List.of(new ContinuousParameter("x", new Bound(0, 1), "")));
    private static final Objective F = new Objective("f", Direction.MAXIMISE);
    private static final OutcomeConstraint G_AT_MOST = OutcomeConstraint.parse("g <= 0.6");
    private static final NormalDistribution N = new NormalDistribution(0, 1);

    private static Point x(double v) {
        return UNIT.point(Map.of("x", v));
    }

    /** f and g measured at each x; g = x. */
    private static List<Observation> observe(double... xs) {
        List<Observation> out = new ArrayList<>();
        for (double v : xs) {
            out.add(Observation.of(x(v), Map.of("f", v, "g", v)));
        }
        return out;
    }

    private static List<Point> grid() {
        List<Point> pool = new ArrayList<>();
        for (int i = 0; i <= 100; i++) {
            pool.add(x(i / 100.0));
        }
        return pool;
    }

    private static List<Proposal> propose(
            String acquisition,
            List<Objective> objectives,
            List<OutcomeConstraint> constraints,
            List<Observation> obs,
            int count,
            Optional<List<Point>> pool,
            long seed) {
        return new BayesianPlanner(new PlannerSpec("bayesian", Map.of("acquisition", acquisition)))
                .propose(new PlanningRequest(
                        UNIT, objectives, constraints, obs, List.of(), count, pool, new SplittableRandom(seed), seed));
    }

    private static List<Double> xs(List<Proposal> proposals) {
        return proposals.stream().map(p -> p.point().number("x")).toList();
    }

    private static final List<Observation> SPREAD = observe(0.05, 0.2, 0.35, 0.5, 0.8, 0.95);

    @Test
    void withoutTheConstraintLogEiHeadsForTheInfeasibleOptimum() {
        List<Double> free = xs(propose("log_ei", List.of(F), List.of(), SPREAD, 1, Optional.empty(), 7));
        assertThat(free.get(0)).isGreaterThan(0.9);
    }

    @Test
    void theConstrainedPlannerProposesAtTheFeasibleBoundaryInEveryAcquisitionPath() {
        for (String acq : List.of("log_ei", "ucb", "thompson")) {
            for (Optional<List<Point>> pool : List.of(Optional.<List<Point>>empty(), Optional.of(grid()))) {
                String what = acq + (pool.isPresent() ? " over a pool" : " over the space");
                List<Double> out = xs(propose(acq, List.of(F), List.of(G_AT_MOST), SPREAD, 1, pool, 7));
                assertThat(out.get(0)).as(what).isBetween(0.5, 0.65);
            }
        }
    }

    @Test
    void aConstrainedBatchStaysOnTheFeasibleSide() {
        for (String acq : List.of("log_ei", "ucb", "thompson")) {
            for (Optional<List<Point>> pool : List.of(Optional.<List<Point>>empty(), Optional.of(grid()))) {
                String what = acq + (pool.isPresent() ? " over a pool" : " over the space");
                List<Double> out = xs(propose(acq, List.of(F), List.of(G_AT_MOST), SPREAD, 4, pool, 11));
                assertThat(out)
                        .as(what)
                        .hasSize(4)
                        .allSatisfy(v -> assertThat(v).as(what).isLessThanOrEqualTo(0.66));
                assertThat(out.stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                        .as(what)
                        .isGreaterThan(0.5);
            }
        }
    }

    @Test
    void anAtLeastConstraintMovesAMinimiserAwayFromItsUnconstrainedOptimum() {
        // Minimise f = x subject to g = x >= 0.3: the optimum is x = 0.3, not 0.
        Objective lowest = new Objective("f", Direction.MINIMISE);
        List<Double> free = xs(propose("log_ei", List.of(lowest), List.of(), SPREAD, 1, Optional.empty(), 3));
        List<Double> bound = xs(propose(
                "log_ei",
                List.of(lowest),
                List.of(OutcomeConstraint.parse("g >= 0.3")),
                SPREAD,
                1,
                Optional.empty(),
                3));
        assertThat(free.get(0)).isLessThan(0.1);
        assertThat(bound.get(0)).isBetween(0.25, 0.4);
    }

    @Test
    void theExplanationReportsTheConstraintAndItsProbabilityMatchesTheNormalCdf() {
        Proposal p = propose("log_ei", List.of(F), List.of(G_AT_MOST), SPREAD, 1, Optional.empty(), 7)
                .get(0);
        assertThat(p.details()).containsKeys("mean.g", "sd.g", "feasibility.g <= 0.6", "feasibility");
        double mean = p.details().get("mean.g");
        double sd = p.details().get("sd.g");
        double expected = N.cumulativeProbability((0.6 - mean) / sd);
        // The planner's probability is Phi((bound - mean) / sd) of its own reported mean and sd, to rounding.
        assertThat(p.details().get("feasibility.g <= 0.6")).isCloseTo(expected, within(1e-12));
        assertThat(p.details().get("feasibility")).isCloseTo(expected, within(1e-12));
        // g = x is modelled closely, so the mean at the proposal is near x itself.
        assertThat(mean).isCloseTo(p.point().number("x"), within(0.05));
    }

    @Test
    void withTwoConstraintsTheTotalProbabilityIsTheProduct() {
        List<OutcomeConstraint> both = List.of(G_AT_MOST, OutcomeConstraint.parse("g >= 0.4"));
        Proposal p = propose("log_ei", List.of(F), both, SPREAD, 1, Optional.empty(), 5)
                .get(0);
        double upper = p.details().get("feasibility.g <= 0.6");
        double lower = p.details().get("feasibility.g >= 0.4");
        assertThat(p.details().get("feasibility")).isCloseTo(upper * lower, within(1e-12));
        assertThat(p.point().number("x")).isBetween(0.4, 0.65);
    }

    @Test
    void withNothingFeasibleYetThePlannerSeeksFeasibility() {
        // Every observation violates g <= 0.6; the incumbent is undefined, so only feasibility counts.
        List<Observation> infeasible = observe(0.7, 0.75, 0.8, 0.9, 0.95, 1.0);
        for (Optional<List<Point>> pool : List.of(Optional.<List<Point>>empty(), Optional.of(grid()))) {
            Proposal p = propose("log_ei", List.of(F), List.of(G_AT_MOST), infeasible, 1, pool, 2)
                    .get(0);
            assertThat(p.rationale()).isEqualTo("feasibility");
            assertThat(p.point().number("x")).isLessThan(0.6);
            // Away from the data the model of g reverts to its mean (about 0.85), so even the best guess is unsure;
            // at the observed points it is near zero.
            assertThat(p.details().get("feasibility")).isGreaterThan(0.1);
        }
    }

    @Test
    void observationsWithoutTheConstrainedOutcomeStillTeachTheObjective() {
        List<Observation> obs = new ArrayList<>(observe(0.05, 0.35, 0.5, 0.8));
        // Two runs whose analysis did not report g: used for f, skipped by the model of g.
        obs.add(Observation.of(x(0.2), Map.of("f", 0.2)));
        obs.add(Observation.of(x(0.95), Map.of("f", 0.95)));
        Proposal p = propose("log_ei", List.of(F), List.of(G_AT_MOST), obs, 1, Optional.empty(), 9)
                .get(0);
        assertThat(p.point().number("x")).isBetween(0.45, 0.65);
    }

    @ParameterizedTest
    @ValueSource(strings = {"log_ei", "ucb", "thompson"})
    void aConstraintNothingHasMeasuredYet_countsAsSatisfied(String acquisition) {
        // Only f measured so far (the purity assay has not run): the plan is the unconstrained one, with finite scores.
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0.05, 0.2, 0.35, 0.5, 0.8, 0.95}) {
            obs.add(Observation.of(x(v), Map.of("f", Math.sin(6 * v))));
        }
        OutcomeConstraint purity = OutcomeConstraint.parse("purity >= 90");
        List<Proposal> constrained = propose(acquisition, List.of(F), List.of(purity), obs, 3, Optional.of(grid()), 2);
        List<Proposal> free = propose(acquisition, List.of(F), List.of(), obs, 3, Optional.of(grid()), 2);
        assertThat(xs(constrained)).isEqualTo(xs(free));
        assertThat(constrained).allSatisfy(p -> assertThat(p.details().values()).allMatch(Double::isFinite));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ehvi", "parego"})
    void twoObjectives_respectTheConstraintAcrossTheParetoFront(String method) {
        // f = x and h = 1 - x conflict: every x is Pareto-optimal, but only x <= 0.6 is feasible.
        Objective h = new Objective("h", Direction.MAXIMISE);
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0.05, 0.2, 0.35, 0.5, 0.8, 0.95}) {
            obs.add(Observation.of(x(v), Map.of("f", v, "h", 1 - v, "g", v)));
        }
        List<Double> free = new ArrayList<>();
        List<Double> bound = new ArrayList<>();
        BayesianPlanner planner = new BayesianPlanner(new PlannerSpec("bayesian", Map.of("multi_objective", method)));
        for (long seed = 1; seed <= 4; seed++) {
            for (List<OutcomeConstraint> constraints : List.of(List.<OutcomeConstraint>of(), List.of(G_AT_MOST))) {
                List<Double> picked = xs(planner.propose(new PlanningRequest(
                        UNIT,
                        List.of(F, h),
                        constraints,
                        obs,
                        List.of(),
                        3,
                        Optional.of(grid()),
                        new SplittableRandom(seed),
                        seed)));
                (constraints.isEmpty() ? free : bound).addAll(picked);
            }
        }
        assertThat(free)
                .as("unconstrained, %s covers the whole front", method)
                .anySatisfy(v -> assertThat(v).isGreaterThan(0.65));
        assertThat(bound).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(0.65));
    }

    @Test
    void theSameSeedGivesTheSameConstrainedProposals() {
        List<Proposal> a = propose("log_ei", List.of(F), List.of(G_AT_MOST), SPREAD, 3, Optional.empty(), 42);
        List<Proposal> b = propose("log_ei", List.of(F), List.of(G_AT_MOST), SPREAD, 3, Optional.empty(), 42);
        assertThat(b).isEqualTo(a);
    }

    /** f measured where x <= 0.6; every experiment above 0.7 failed (nothing measured). */
    private static List<Observation> failingAbove() {
        List<Observation> out = new ArrayList<>(observe(0.05, 0.2, 0.35, 0.5, 0.6));
        for (double v : new double[] {0.75, 0.85, 0.95}) {
            out.add(new Observation(x(v), Map.of(), true));
        }
        return out;
    }

    @Test
    void failedExperiments_teachThePlannerWhereExperimentsDoNotComplete() {
        for (String acq : List.of("log_ei", "ucb", "thompson")) {
            List<Proposal> p = propose(acq, List.of(F), List.of(), failingAbove(), 1, Optional.empty(), 11);
            assertThat(p.get(0).point().number("x")).as(acq).isLessThan(0.75);
            assertThat(p.get(0).details()).as(acq).containsKey("feasibility.completes >= 0.5");
        }
        // Ignoring the failures (the same completed observations alone), log-EI heads for the top of the range.
        List<Observation> completedOnly = observe(0.05, 0.2, 0.35, 0.5, 0.6);
        List<Proposal> blind = propose("log_ei", List.of(F), List.of(), completedOnly, 1, Optional.empty(), 11);
        assertThat(blind.get(0).point().number("x")).isGreaterThan(0.75);
        assertThat(blind.get(0).details()).doesNotContainKey("feasibility.completes >= 0.5");
    }
}
