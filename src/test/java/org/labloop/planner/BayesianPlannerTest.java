package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.labloop.space.Bound;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.MoleculeParameter.Molecule;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

class BayesianPlannerTest {
    private static final SearchSpace LINE =
            new SearchSpace(List.of(new ContinuousParameter("x", new Bound(0, 10), "")));
    private static final Objective Y = new Objective("y", Direction.MAXIMISE);

    private static BayesianPlanner planner(Map<String, Object> options) {
        return new BayesianPlanner(new PlannerSpec("bayesian", options));
    }

    private static Point x(double v) {
        return LINE.point(Map.of("x", v));
    }

    private static List<Observation> observe(List<Point> points, ToDoubleFunction<Point> f) {
        List<Observation> out = new ArrayList<>();
        for (Point p : points) {
            out.add(Observation.of(p, Map.of("y", f.applyAsDouble(p))));
        }
        return out;
    }

    private static PlanningRequest request(
            SearchSpace space,
            List<Objective> objectives,
            List<Observation> obs,
            List<Point> pending,
            int count,
            Optional<List<Point>> pool,
            long seed) {
        return new PlanningRequest(space, objectives, obs, pending, count, pool, new SplittableRandom(seed), seed);
    }

    @Test
    void isRegisteredAsBayesian() {
        Planner p = PlannerRegistry.standard().create(PlannerSpec.of("bayesian"));
        assertThat(p).isInstanceOf(BayesianPlanner.class);
        assertThat(p.name()).isEqualTo("bayesian");
    }

    @Test
    void unknownOptionsAndBadValuesAreRejectedClearly() {
        assertThatThrownBy(() -> planner(Map.of("acqusition", "ucb")))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("acqusition")
                .hasMessageContaining("acquisition");
        assertThatThrownBy(() -> planner(Map.of("acquisition", "pi")))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("log_ei, ucb or thompson");
        assertThatThrownBy(() -> planner(Map.of("initial", "many")))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("initial");
        assertThatThrownBy(() -> planner(Map.of("beta", -1)))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("beta");
        assertThatThrownBy(() -> planner(Map.of("molecule_encoding", "morgan")))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("fingerprint, onehot, tanimoto or descriptors");
        assertThat(planner(Map.of("molecule_encoding", "tanimoto")).options().moleculeMode())
                .isEqualTo(Encoding.MoleculeMode.TANIMOTO);
        assertThat(planner(Map.of("molecule_encoding", "descriptors")).options().moleculeMode())
                .isEqualTo(Encoding.MoleculeMode.DESCRIPTORS);
        assertThat(planner(Map.of("molecule_dims", "auto")).options().moleculeDims())
                .isEqualTo(Encoding.AUTO_DIMS);
        assertThat(planner(Map.of("acquisition", "UCB", "beta", "0.5", "initial", 3))
                        .options()
                        .acquisition())
                .isEqualTo(BayesianPlanner.AcquisitionKind.UCB);
    }

    @Test
    void avoidRepeats_isABoolean_forEhvi() {
        assertThat(planner(Map.of("avoid_repeats", "yes")).options().avoidRepeats())
                .isTrue();
        assertThat(planner(Map.of()).options().avoidRepeats()).isFalse();
        assertThatThrownBy(() -> planner(Map.of("avoid_repeats", "sometimes")))
                .hasMessageContaining("avoid_repeats must be true or false, got 'sometimes'");
        Objective f1 = new Objective("f1", Direction.MAXIMISE);
        Objective f2 = new Objective("f2", Direction.MAXIMISE);
        planner(Map.of("avoid_repeats", true)).checkObjectives(List.of(f1, f2));
        for (Map<String, Object> elsewhere : List.<Map<String, Object>>of(
                Map.of("avoid_repeats", true, "multi_objective", "parego"),
                Map.of("avoid_repeats", true, "acquisition", "ucb"))) {
            assertThatThrownBy(() -> planner(elsewhere).checkObjectives(List.of(f1, f2)))
                    .as("%s", elsewhere)
                    .isInstanceOf(InvalidPlannerOptionsException.class)
                    .hasMessageContaining("avoid_repeats acts on expected hypervolume improvement");
        }
        assertThatThrownBy(() -> planner(Map.of("avoid_repeats", true)).checkObjectives(List.of(Y)))
                .hasMessageContaining("here it would be ignored");
    }

    @Test
    void moleculeOptions_onASpaceWithoutMolecules_areRefused_andAcceptedWithOne() {
        BayesianPlanner p = planner(Map.of("molecule_encoding", "tanimoto", "molecule_dims", 3));
        assertThatThrownBy(() -> p.checkSpace(LINE))
                .isInstanceOf(InvalidPlannerOptionsException.class)
                .hasMessageContaining("molecule_encoding says how to encode molecule parameters")
                .hasMessageContaining("molecule_dims says how to encode molecule parameters");
        SearchSpace bases = new SearchSpace(List.of(new org.labloop.space.MoleculeParameter(
                "base", List.of(new org.labloop.space.MoleculeParameter.Molecule("KOAc", "CC(=O)[O-].[K+]")))));
        planner(Map.of("molecule_encoding", "tanimoto")).checkSpace(bases);
        planner(Map.of("molecule_encoding", "fingerprint", "molecule_dims", 3)).checkSpace(bases);
        planner(Map.of()).checkSpace(LINE);
        // An encoding that reduces nothing would ignore molecule_dims.
        for (String unreduced : List.of("tanimoto", "onehot")) {
            assertThatThrownBy(() -> planner(Map.of("molecule_encoding", unreduced, "molecule_dims", 3))
                            .checkSpace(bases))
                    .isInstanceOf(InvalidPlannerOptionsException.class)
                    .hasMessageContaining("molecule_encoding " + unreduced + " reduces nothing");
        }
    }

    @Test
    void everyProblemInTheOptions_isReportedAtOnce() {
        assertThatThrownBy(() -> planner(Map.of("restart", 3, "foo", "bar", "beta", -1, "acquisition", "pi")))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("has no option 'foo'")
                .hasMessageContaining("has no option 'restart'")
                .hasMessageContaining("acquisition must be log_ei, ucb or thompson, got 'pi'")
                .hasMessageContaining("beta must be a number greater than 0 and at most 1000000, got -1")
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.type(InvalidPlannerOptionsException.class))
                .extracting(InvalidPlannerOptionsException::problems)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(
                        InvalidPlannerOptionsException.OptionProblem.class))
                .extracting(InvalidPlannerOptionsException.OptionProblem::option)
                .containsExactlyInAnyOrder("foo", "restart", "acquisition", "beta");
    }

    @Test
    void proposesSpaceFillingPointsUntilItHasEnoughObservations() {
        List<Proposal> out = planner(Map.of("initial", 4))
                .propose(request(LINE, List.of(Y), observe(List.of(x(1)), p -> 1), List.of(), 3, Optional.empty(), 1));
        assertThat(out).hasSize(3).allSatisfy(p -> assertThat(p.rationale()).isEqualTo("space-filling"));
    }

    @Test
    void logEiProposesTheMaximumOfAWellSampledParabola() {
        List<Point> pts = new ArrayList<>();
        for (double v = 0; v <= 10; v += 1.25) {
            pts.add(x(v));
        }
        List<Observation> obs = observe(pts, p -> -Math.pow(p.number("x") - 6.6, 2));
        Proposal p = planner(Map.of())
                .propose(request(LINE, List.of(Y), obs, List.of(), 1, Optional.empty(), 3))
                .get(0);
        assertThat(p.point().number("x")).isCloseTo(6.6, within(0.5));
        assertThat(p.details()).containsKeys("mean.y", "sd.y", "noise_sd.y", "acquisition");
        assertThat(p.rationale()).isIn("exploit", "explore");
    }

    @Test
    void ucbWithNoExplorationPicksThePredictedMaximumAndMinimisingFlipsIt() {
        List<Point> pts = List.of(x(0), x(2), x(4), x(6), x(8), x(10));
        List<Observation> obs = new ArrayList<>();
        for (Point p : pts) {
            double v = p.number("x");
            obs.add(Observation.of(p, Map.of("y", (v - 3) * (v - 3))));
        }
        Objective lowest = new Objective("y", Direction.MINIMISE);
        Proposal p = planner(Map.of("acquisition", "ucb", "beta", 1e-6))
                .propose(request(LINE, List.of(lowest), obs, List.of(), 1, Optional.empty(), 5))
                .get(0);
        assertThat(p.point().number("x")).isCloseTo(3, within(0.7));
        assertThat(p.details().get("mean.y")).isLessThan(4.0);
    }

    @Test
    void withFlatDataLogEiPicksThePoolPointFarthestFromTheData() {
        List<Point> pool = new ArrayList<>();
        for (int i = 0; i <= 100; i++) {
            pool.add(x(i / 10.0));
        }
        List<Observation> obs = observe(List.of(x(0), x(1), x(2), x(3), x(4)), p -> 5);
        Proposal p = planner(Map.of())
                .propose(request(LINE, List.of(Y), obs, List.of(), 1, Optional.of(pool), 2))
                .get(0);
        assertThat(p.point().number("x")).isEqualTo(10.0);
        assertThat(p.rationale()).isEqualTo("explore");
    }

    @Test
    void batchesAreDistinctAndKeepAwayFromPendingExperiments() {
        List<Point> pts = List.of(x(0), x(2.5), x(5), x(7.5), x(10));
        List<Observation> obs = observe(pts, p -> Math.sin(p.number("x")));
        Point pending = x(8.2);
        for (String acq : List.of("log_ei", "ucb", "thompson")) {
            List<Proposal> out = planner(Map.of("acquisition", acq))
                    .propose(request(LINE, List.of(Y), obs, List.of(pending), 4, Optional.empty(), 11));
            assertThat(out).hasSize(4);
            List<Double> xs = out.stream().map(p -> p.point().number("x")).toList();
            assertThat(new HashSet<>(xs)).as(acq).hasSize(4);
            for (double v : xs) {
                assertThat(Math.abs(v - 8.2)).as(acq + " proposal " + v).isGreaterThan(0.05);
            }
        }
    }

    @Test
    void poolProposalsComeFromThePoolAndSkipMeasuredAndPendingRows() {
        List<Point> pool = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            pool.add(x(i / 2.0));
        }
        List<Observation> obs = observe(pool.subList(0, 6), p -> p.number("x"));
        List<Point> pending = List.of(x(10));
        for (String acq : List.of("log_ei", "ucb", "thompson")) {
            List<Proposal> out = planner(Map.of("acquisition", acq))
                    .propose(request(LINE, List.of(Y), obs, pending, 6, Optional.of(pool), 4));
            assertThat(out).hasSize(6);
            assertThat(out).allSatisfy(p -> {
                assertThat(pool).contains(p.point());
                assertThat(p.point()).isNotEqualTo(x(10));
                assertThat(p.point().number("x")).isGreaterThan(2.5);
            });
            assertThat(out.stream().map(Proposal::point).distinct()).hasSize(6);
        }
    }

    @Test
    void aPoolWithoutEnoughUntriedRowsMeansTheSpaceIsExhausted() {
        List<Point> pool = List.of(x(1), x(2), x(3), x(4), x(5), x(6));
        List<Observation> obs = observe(pool.subList(0, 5), p -> p.number("x"));
        // Both while the model plans and during the initial design: the engine ends a campaign on this exception.
        assertThatThrownBy(() ->
                        planner(Map.of()).propose(request(LINE, List.of(Y), obs, List.of(), 2, Optional.of(pool), 1)))
                .isInstanceOf(SearchSpaceExhaustedException.class)
                .hasMessageContaining("1 untried");
        assertThatThrownBy(() -> planner(Map.of())
                        .propose(request(LINE, List.of(Y), obs.subList(0, 2), List.of(), 5, Optional.of(pool), 1)))
                .isInstanceOf(SearchSpaceExhaustedException.class)
                .hasMessageContaining("4 untried");
    }

    @Test
    void thompson_onDenseNearlyNoiseFreeData_stillDrawsDistinctSamples() {
        // 60 observations of a smooth function: the fitted noise is tiny and the kernel matrix nearly singular, the
        // case where a posterior covariance through the explicit inverse stopped being positive semi-definite.
        List<Point> pts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            pts.add(x(10 * (i + 0.5) / 60));
        }
        List<Observation> obs = observe(pts, p -> Math.sin(0.6 * p.number("x")));
        List<Proposal> out = planner(Map.of("acquisition", "thompson"))
                .propose(request(LINE, List.of(Y), obs, List.of(), 3, Optional.empty(), 5));
        assertThat(out.stream().map(Proposal::point).distinct()).hasSize(3);
        // The maximum of sin(0.6 x) on [0, 10] is at x = pi / 1.2 = 2.62; draws from a sharp posterior land near it.
        assertThat(out).allSatisfy(p -> assertThat(p.point().number("x")).isCloseTo(2.62, within(1.0)));
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 4, 5, 6, 7})
    void thompson_onACategoricalSpace_neverProposesAPointTwiceInABatch(long seed) {
        SearchSpace space = new SearchSpace(List.of(new CategoricalParameter("cat", List.of("a", "b", "c", "d"))));
        List<Observation> obs = List.of(Observation.of(space.point(Map.of("cat", "a")), Map.of("y", 1.0)));
        List<Proposal> out = planner(Map.of("acquisition", "thompson", "initial", 1))
                .propose(request(space, List.of(Y), obs, List.of(), 3, Optional.empty(), seed));
        assertThat(out.stream().map(p -> p.point().text("cat")).toList()).containsExactlyInAnyOrder("b", "c", "d");
    }

    @Test
    void outcomesOnATinyScale_areModelledLikeTheSameOutcomesOnAUnitScale() {
        List<Point> pts = List.of(x(0.5), x(2), x(3.5), x(5), x(6.5), x(8), x(9.5));
        List<Proposal> unit = planner(Map.of())
                .propose(request(
                        LINE,
                        List.of(Y),
                        observe(pts, p -> Math.sin(p.number("x"))),
                        List.of(),
                        2,
                        Optional.empty(),
                        8));
        List<Proposal> tiny = planner(Map.of())
                .propose(request(
                        LINE,
                        List.of(Y),
                        observe(pts, p -> 1e-14 * Math.sin(p.number("x"))),
                        List.of(),
                        2,
                        Optional.empty(),
                        8));
        assertThat(tiny.stream().map(Proposal::point).toList())
                .isEqualTo(unit.stream().map(Proposal::point).toList());
        assertThat(tiny.get(0).details().get("sd.y"))
                .isCloseTo(1e-14 * unit.get(0).details().get("sd.y"), within(1e-20));
    }

    @Test
    void theSameSeedGivesTheSameProposals() {
        List<Observation> obs = observe(List.of(x(1), x(3), x(4), x(6), x(9)), p -> Math.cos(p.number("x")));
        BayesianPlanner planner = planner(Map.of());
        List<Proposal> a = planner.propose(request(LINE, List.of(Y), obs, List.of(), 3, Optional.empty(), 42));
        List<Proposal> b =
                planner(Map.of()).propose(request(LINE, List.of(Y), obs, List.of(), 3, Optional.empty(), 42));
        assertThat(b).isEqualTo(a);
    }

    @Test
    void mixedSpacesGetValidProposals() {
        SearchSpace space = new SearchSpace(List.of(
                new ContinuousParameter("temp", new Bound(20, 120), "degC"),
                new DiscreteParameter("equiv", List.of(1.0, 1.5, 2.0, 3.0), ""),
                new CategoricalParameter("base", List.of("KOAc", "CsOAc", "KOPiv")),
                new MoleculeParameter(
                        "solvent",
                        List.of(
                                new Molecule("DMAc", "CC(N(C)C)=O"),
                                new Molecule("BuOAc", "CCCCOC(C)=O"),
                                new Molecule("xylene", "CC1=CC=C(C)C=C1")))));
        SplittableRandom random = new SplittableRandom(9);
        List<Observation> obs = new ArrayList<>();
        String[] bases = {"KOAc", "CsOAc", "KOPiv"};
        String[] solvents = {"DMAc", "BuOAc", "xylene"};
        for (int i = 0; i < 12; i++) {
            Point p = space.point(Map.of(
                    "temp",
                    20 + 100 * random.nextDouble(),
                    "equiv",
                    List.of(1.0, 1.5, 2.0, 3.0).get(random.nextInt(4)),
                    "base",
                    bases[random.nextInt(3)],
                    "solvent",
                    solvents[random.nextInt(3)]));
            double y = p.number("temp") / 10 + (p.text("base").equals("CsOAc") ? 5 : 0) - p.number("equiv");
            obs.add(Observation.of(p, Map.of("y", y)));
        }
        for (String acq : List.of("log_ei", "ucb", "thompson")) {
            List<Proposal> out = planner(Map.of("acquisition", acq, "raw_samples", 256))
                    .propose(request(space, List.of(Y), obs, List.of(), 3, Optional.empty(), 8));
            assertThat(out).hasSize(3);
            assertThat(out)
                    .allSatisfy(p -> assertThat(space.violations(p.point())).isEmpty());
        }
        for (Map<String, Object> molecules : List.<Map<String, Object>>of(
                Map.of("molecule_encoding", "tanimoto"), Map.of("molecule_dims", "auto"))) {
            List<Proposal> out =
                    planner(molecules).propose(request(space, List.of(Y), obs, List.of(), 3, Optional.empty(), 8));
            assertThat(out).hasSize(3);
            assertThat(out)
                    .allSatisfy(p -> assertThat(space.violations(p.point())).isEmpty());
            assertThat(out.stream().map(Proposal::point).distinct()).hasSize(3);
        }
        Proposal best = planner(Map.of("acquisition", "ucb", "beta", 1e-6))
                .propose(request(space, List.of(Y), obs, List.of(), 1, Optional.empty(), 8))
                .get(0);
        assertThat(best.point().text("base")).isEqualTo("CsOAc");
        assertThat(best.point().number("equiv")).isEqualTo(1.0);
        assertThat(best.point().number("temp")).isGreaterThan(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ehvi", "parego"})
    void twoObjectivesGiveValidProposalsWithDetailsForEach(String method) {
        SearchSpace space = new SearchSpace(List.of(
                new ContinuousParameter("a", new Bound(0, 1), ""), new ContinuousParameter("b", new Bound(0, 1), "")));
        Objective f1 = new Objective("f1", Direction.MINIMISE);
        Objective f2 = new Objective("f2", Direction.MINIMISE);
        SplittableRandom random = new SplittableRandom(4);
        List<Observation> obs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            double a = random.nextDouble();
            double b = random.nextDouble();
            obs.add(Observation.of(
                    space.point(Map.of("a", a, "b", b)), Map.of("f1", a, "f2", 1 - Math.sqrt(a) + b * b)));
        }
        List<Proposal> out = planner(Map.of("raw_samples", 256, "multi_objective", method))
                .propose(request(space, List.of(f1, f2), obs, List.of(), 3, Optional.empty(), 6));
        assertThat(out).hasSize(3);
        assertThat(out.stream().map(Proposal::point).distinct()).hasSize(3);
        assertThat(out).allSatisfy(p -> {
            assertThat(space.violations(p.point())).isEmpty();
            assertThat(p.details())
                    .containsKeys("mean.f1", "sd.f1", "noise_sd.f1", "mean.f2", "sd.f2", "noise_sd.f2", "acquisition");
        });
        // The front of this problem has b = 0: proposals should favour small b.
        double meanB =
                out.stream().mapToDouble(p -> p.point().number("b")).average().orElseThrow();
        assertThat(meanB).isLessThan(0.3);
    }

    @Test
    void ehvi_fillsTheWidestGapOfAKnownFront() {
        // f1 = x and f2 = 1 - x conflict, so every x is on the front; measured at both ends and in the middle, the
        // widest gaps are around x = 2.75 and 7.25, and a certain point there adds the most hypervolume.
        Objective f1 = new Objective("f1", Direction.MAXIMISE);
        Objective f2 = new Objective("f2", Direction.MAXIMISE);
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0, 0.05, 0.5, 0.95, 1}) {
            obs.add(Observation.of(x(10 * v), Map.of("f1", v, "f2", 1 - v)));
        }
        List<Proposal> out = planner(Map.of("multi_objective", "ehvi"))
                .propose(request(LINE, List.of(f1, f2), obs, List.of(), 2, Optional.empty(), 3));
        List<Double> xs = out.stream().map(p -> p.point().number("x")).sorted().toList();
        assertThat(xs.get(0)).isBetween(1.5, 3.5);
        assertThat(xs.get(1)).isBetween(6.5, 8.5);
        assertThat(out).allSatisfy(p -> assertThat(p.details()).containsKey("ehvi"));
    }

    @Test
    void ehvi_withAvoidRepeats_doesNotProposeAgainWhatIsStillRunning() {
        // Both objectives rise towards x = 10, measured with noise: the best next experiment is at the boundary. Once
        // it is running, with avoid_repeats its outcome counts as known at the predicted value, so proposing it again
        // adds nothing; with only the kriging believer it keeps the noise the model allows there and is proposed again.
        Objective f1 = new Objective("f1", Direction.MAXIMISE);
        Objective f2 = new Objective("f2", Direction.MAXIMISE);
        SplittableRandom noise = new SplittableRandom(5);
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0, 1.5, 3, 4.5, 6, 7.5, 8.5, 9.2}) {
            obs.add(Observation.of(
                    x(v), Map.of("f1", v + 0.3 * noise.nextGaussian(), "f2", v * v / 10 + 0.3 * noise.nextGaussian())));
        }
        Planner planner = planner(Map.of("avoid_repeats", true));
        Proposal first = planner.propose(request(LINE, List.of(f1, f2), obs, List.of(), 1, Optional.empty(), 3))
                .get(0);
        double running = first.point().number("x");
        assertThat(running).isGreaterThan(9.2);
        Planner believer = planner(Map.of());
        for (long seed = 1; seed <= 5; seed++) {
            Proposal next = planner.propose(
                            request(LINE, List.of(f1, f2), obs, List.of(first.point()), 1, Optional.empty(), seed))
                    .get(0);
            assertThat(Math.abs(next.point().number("x") - running))
                    .as("seed %d: %s next to %s", seed, next.point().number("x"), running)
                    .isGreaterThan(0.1);
            // The default (kriging believer alone) proposes the running point again, which is what the option is for.
            Proposal again = believer.propose(
                            request(LINE, List.of(f1, f2), obs, List.of(first.point()), 1, Optional.empty(), seed))
                    .get(0);
            assertThat(Math.abs(again.point().number("x") - running))
                    .as("seed %d, default", seed)
                    .isLessThan(0.1);
        }
    }

    @Test
    void ehvi_countsFromTheObjectivesThresholds_searchingOnlyWhereTheFrontCounts() {
        // The same front (f2 minimised this time), but only f1 >= 0.6 and f2 <= -0.3 are worth having, that is
        // 0.6 <= v <= 0.7: both picks go between x = 6 and 7. With the sign of the minimised objective's threshold
        // ignored, the region would be v >= 0.6 and the picks would spread to x = 9.5.
        Objective f1 = new Objective("f1", Direction.MAXIMISE, "", OptionalDouble.empty(), OptionalDouble.of(0.6));
        Objective f2 = new Objective("f2", Direction.MINIMISE, "", OptionalDouble.empty(), OptionalDouble.of(-0.3));
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0, 0.05, 0.5, 0.95, 1}) {
            obs.add(Observation.of(x(10 * v), Map.of("f1", v, "f2", v - 1)));
        }
        List<Proposal> out =
                planner(Map.of()).propose(request(LINE, List.of(f1, f2), obs, List.of(), 2, Optional.empty(), 3));
        assertThat(out).allSatisfy(p -> assertThat(p.point().number("x")).isBetween(5.8, 7.2));
    }

    @Test
    void ehvi_withThresholdsNothingMeasuredReaches_stillRanksByHowCloseCandidatesCome() {
        // f1 = f2 = v on [0, 1]: the best point is v = 1, but the thresholds ask for 5 in both. Every EHVI is
        // vanishingly small, yet its log stays finite and the proposal heads for v = 1.
        Objective f1 = new Objective("f1", Direction.MAXIMISE, "", OptionalDouble.empty(), OptionalDouble.of(5));
        Objective f2 = new Objective("f2", Direction.MAXIMISE, "", OptionalDouble.empty(), OptionalDouble.of(5));
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0, 0.2, 0.4, 0.5, 0.6}) {
            obs.add(Observation.of(x(10 * v), Map.of("f1", v, "f2", v)));
        }
        Proposal p = planner(Map.of())
                .propose(request(LINE, List.of(f1, f2), obs, List.of(), 1, Optional.empty(), 4))
                .get(0);
        assertThat(p.details().get("acquisition")).isFinite();
        assertThat(p.point().number("x")).isGreaterThan(6.0);
        assertThat(p.rationale()).isEqualTo("explore");
    }

    @Test
    void twoObjectivesWithAnotherAcquisition_runParEgo_withThatAcquisition() {
        Objective f1 = new Objective("f1", Direction.MAXIMISE);
        Objective f2 = new Objective("f2", Direction.MAXIMISE);
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0, 0.2, 0.4, 0.6, 0.8, 1}) {
            obs.add(Observation.of(x(10 * v), Map.of("f1", v, "f2", 1 - v * v)));
        }
        List<Proposal> ucb = planner(Map.of("acquisition", "ucb"))
                .propose(request(LINE, List.of(f1, f2), obs, List.of(), 2, Optional.empty(), 5));
        List<Proposal> ei =
                planner(Map.of()).propose(request(LINE, List.of(f1, f2), obs, List.of(), 2, Optional.empty(), 5));
        assertThat(ucb).allSatisfy(p -> assertThat(p.details()).doesNotContainKey("ehvi"));
        assertThat(ei).allSatisfy(p -> assertThat(p.details()).containsKey("ehvi"));
        // ParEGO scores its scalarisation by UCB: the first pick's score is mu + sqrt(beta) sd there, so a larger beta
        // gives a larger score (sd > 0 away from the data); log EI has no beta, and refuses one.
        java.util.function.BiFunction<String, Double, Double> firstScore =
                (acq, beta) -> planner(Map.of("acquisition", acq, "beta", beta, "multi_objective", "parego"))
                        .propose(request(LINE, List.of(f1, f2), obs, List.of(), 1, Optional.empty(), 5))
                        .get(0)
                        .details()
                        .get("acquisition");
        assertThat(firstScore.apply("ucb", 100.0)).isGreaterThan(firstScore.apply("ucb", 0.01) + 1e-3);
        assertThatThrownBy(() -> planner(Map.of("beta", 3)))
                .hasMessageContaining("beta weighs exploration in acquisition ucb")
                .hasMessageContaining("would be ignored");
    }

    @Test
    void ehviWithThreeObjectives_isRefusedWithTheFix() {
        List<Objective> three = List.of(
                new Objective("a", Direction.MAXIMISE),
                new Objective("b", Direction.MAXIMISE),
                new Objective("c", Direction.MAXIMISE));
        assertThatThrownBy(() -> planner(Map.of("multi_objective", "ehvi")).checkObjectives(three))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("exactly two objectives, got 3")
                .hasMessageContaining("parego");
        planner(Map.of()).checkObjectives(three);
        assertThatThrownBy(() -> planner(Map.of("multi_objective", "ehvi"))
                        .checkObjectives(List.of(new Objective("a", Direction.MAXIMISE))))
                .hasMessageContaining("got 1; remove multi_objective");
        assertThatThrownBy(() -> planner(Map.of("multi_objective", "ehvi", "acquisition", "ucb")))
                .hasMessageContaining("acquisition 'ucb' would be ignored");
        assertThatThrownBy(() -> planner(Map.of("multi_objective", "nsga")))
                .hasMessageContaining("multi_objective must be auto, ehvi or parego, got 'nsga'");
    }

    @Test
    void invalidSmilesInTheSpaceIsAPlanningError() {
        SearchSpace space = new SearchSpace(List.of(new MoleculeParameter(
                "base", List.of(new Molecule("ok", "O=C([O-])C.[K+]"), new Molecule("bad", "not a smiles")))));
        assertThatThrownBy(() -> planner(Map.of())
                        .propose(request(space, List.of(Y), List.of(), List.of(), 1, Optional.empty(), 1)))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("base")
                .hasMessageContaining("not a smiles");
    }

    @Test
    void logOutcomes_isABoolean() {
        assertThat(planner(Map.of("log_outcomes", "yes")).options().logOutcomes())
                .isTrue();
        assertThat(planner(Map.of()).options().logOutcomes()).isFalse();
        assertThatThrownBy(() -> planner(Map.of("log_outcomes", "maybe")))
                .isInstanceOf(InvalidPlannerOptionsException.class)
                .hasMessageContaining("log_outcomes must be true or false, got 'maybe'");
    }

    /** A positive, heavy-tailed waste figure falling from about 1000 at x = 0 to about 1 at x = 10, like an E-factor. */
    private static double waste(double x) {
        return 1 + 1000 * Math.exp(-1.2 * x) + 5 * Math.exp(-(x - 6) * (x - 6));
    }

    private static List<Observation> wasteAndYield(double[] xs) {
        List<Observation> obs = new ArrayList<>();
        for (double v : xs) {
            obs.add(Observation.of(x(v), Map.of("yield", Math.sin(v / 3), "waste", waste(v))));
        }
        return obs;
    }

    @Test
    void logOutcomes_predictsAHeavyTailedPositiveObjectiveInItsOwnUnits_neverBelowZero() {
        Objective yield = new Objective("yield", Direction.MAXIMISE);
        Objective waste = new Objective("waste", Direction.MINIMISE);
        List<Observation> obs = wasteAndYield(new double[] {0, 0.7, 1.5, 3, 5, 7.5, 9});
        for (long seed = 1; seed <= 3; seed++) {
            List<Proposal> out = planner(Map.of("log_outcomes", true))
                    .propose(request(LINE, List.of(yield, waste), obs, List.of(), 4, Optional.empty(), seed));
            assertThat(out).hasSize(4);
            for (Proposal p : out) {
                Map<String, Double> d = p.details();
                assertThat(d.get("mean.waste")).as("seed %d", seed).isPositive();
                assertThat(d.get("sd.waste")).isNotNegative();
                assertThat(d.get("noise_sd.waste")).isNotNegative();
                // The median in the objective's units, and the delta-method sd, from the prediction of ln(waste).
                assertThat(d.get("mean.waste")).isCloseTo(Math.exp(d.get("log_mean.waste")), within(1e-9));
                assertThat(d.get("sd.waste")).isCloseTo(d.get("mean.waste") * d.get("log_sd.waste"), within(1e-9));
                // The prediction lands within a factor of three of the truth: the log model tracks the decay.
                assertThat(Math.abs(d.get("log_mean.waste")
                                - Math.log(waste(p.point().number("x")))))
                        .as("x = %s", p.point().number("x"))
                        .isLessThan(Math.log(3));
                // yield can be negative: it stays on its own scale.
                assertThat(d).doesNotContainKey("log_mean.yield");
            }
        }
        // One objective (log EI on ln(waste)): the same holds.
        for (Proposal p : planner(Map.of("log_outcomes", true))
                .propose(request(LINE, List.of(waste), obs, List.of(), 3, Optional.empty(), 1))) {
            assertThat(p.details().get("mean.waste")).isPositive();
            assertThat(p.details()).containsKey("log_sd.waste");
        }
    }

    @Test
    void logOutcomes_leavesObjectivesThatDoNotSpanAFactorOfTen_asTheyWere() {
        // Both objectives stay within a factor of 10 (or are not all positive): the option changes nothing, proposal
        // for proposal, detail for detail.
        Objective f1 = new Objective("f1", Direction.MAXIMISE);
        Objective f2 = new Objective("f2", Direction.MINIMISE);
        List<Observation> obs = new ArrayList<>();
        for (double v : new double[] {0, 1.5, 3, 5, 7.5, 9}) {
            obs.add(Observation.of(x(v), Map.of("f1", Math.sin(v / 3), "f2", 2 + Math.cos(v / 2))));
        }
        List<Proposal> plain =
                planner(Map.of()).propose(request(LINE, List.of(f1, f2), obs, List.of(), 3, Optional.empty(), 4));
        List<Proposal> logged = planner(Map.of("log_outcomes", true))
                .propose(request(LINE, List.of(f1, f2), obs, List.of(), 3, Optional.empty(), 4));
        assertThat(logged).isEqualTo(plain);
    }
}
