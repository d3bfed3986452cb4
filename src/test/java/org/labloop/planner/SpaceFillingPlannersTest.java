package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.labloop.space.Bound;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.Objective;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

class SpaceFillingPlannersTest {
    private static final SearchSpace MIXED = new SearchSpace(List.of(
            new ContinuousParameter("T", new Bound(30, 120), "degC"),
            new DiscreteParameter("conc", List.of(0.1, 0.2, 0.5), "mol/L"),
            new CategoricalParameter("solvent", List.of("EtOH", "MeCN", "DMSO"))));
    private static final List<Objective> YIELD = List.of(new Objective("yield", Direction.MAXIMISE));

    private static PlanningRequest request(SearchSpace space, List<Point> pending, int count, long seed) {
        return request(space, pending, count, seed, seed);
    }

    /** A round's own generator and the campaign's seed, which stays the same across rounds. */
    private static PlanningRequest request(
            SearchSpace space, List<Point> pending, int count, long roundSeed, long campaignSeed) {
        return new PlanningRequest(
                space,
                YIELD,
                List.of(),
                pending,
                count,
                Optional.empty(),
                new SplittableRandom(roundSeed),
                campaignSeed);
    }

    private static Planner planner(String name) {
        return PlannerRegistry.standard().create(PlannerSpec.of(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "sobol", "lhs"})
    void proposals_lieInTheSpace_andAreDistinct(String name) {
        List<Proposal> ps = planner(name).propose(request(MIXED, List.of(), 12, 42));
        assertThat(ps).hasSize(12);
        for (Proposal p : ps) {
            assertThat(MIXED.violations(p.point())).isEmpty();
        }
        assertThat(new HashSet<>(ps.stream().map(Proposal::point).toList())).hasSize(12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "sobol", "lhs"})
    void sameSeed_givesSameProposals(String name) {
        assertThat(planner(name).propose(request(MIXED, List.of(), 5, 7)))
                .isEqualTo(planner(name).propose(request(MIXED, List.of(), 5, 7)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "sobol", "lhs"})
    void pendingPoints_areNeverProposedAgain_inAFiniteSpace(String name) {
        SearchSpace small = new SearchSpace(List.of(
                new DiscreteParameter("a", List.of(1.0, 2.0, 3.0), ""),
                new CategoricalParameter("b", List.of("x", "y"))));
        List<Point> pending = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<Proposal> ps = planner(name).propose(request(small, pending, 1, i));
            pending.add(ps.get(0).point());
        }
        assertThat(new HashSet<>(pending)).hasSize(6);
        assertThatThrownBy(() -> planner(name).propose(request(small, pending, 1, 99)))
                .isInstanceOf(SearchSpaceExhaustedException.class)
                .hasMessageContaining("0 untried points left");
    }

    @org.junit.jupiter.api.Test
    void latinHypercube_putsOnePointInEverySliceOfEachContinuousParameter() {
        SearchSpace box = new SearchSpace(List.of(
                new ContinuousParameter("x", new Bound(0, 1), ""), new ContinuousParameter("y", new Bound(0, 10), "")));
        int n = 8;
        List<Proposal> ps = planner("lhs").propose(request(box, List.of(), n, 3));
        for (String axis : List.of("x", "y")) {
            double width = axis.equals("x") ? 1 : 10;
            boolean[] hit = new boolean[n];
            ps.forEach(p -> hit[(int) Math.floor(p.point().number(axis) / width * n)] = true);
            assertThat(hit).doesNotContain(false);
        }
    }

    @org.junit.jupiter.api.Test
    void sobol_continuesTheSameSequenceAcrossRounds() {
        SearchSpace box = new SearchSpace(List.of(new ContinuousParameter("x", new Bound(0, 1), "")));
        List<Point> allAtOnce = planner("sobol").propose(request(box, List.of(), 4, 1)).stream()
                .map(Proposal::point)
                .toList();
        List<Point> inRounds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inRounds.add(planner("sobol")
                    .propose(request(box, inRounds, 1, 100 + i, 1))
                    .get(0)
                    .point());
        }
        assertThat(inRounds).isEqualTo(allAtOnce);
    }

    @org.junit.jupiter.api.Test
    void sobol_eachSeedHasItsOwnDesign() {
        SearchSpace box = new SearchSpace(List.of(
                new ContinuousParameter("x", new Bound(0, 1), ""), new ContinuousParameter("y", new Bound(0, 1), "")));
        List<List<Point>> designs = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            designs.add(planner("sobol").propose(request(box, List.of(), 5, seed)).stream()
                    .map(Proposal::point)
                    .toList());
        }
        assertThat(new HashSet<>(designs)).hasSize(5);
        // No two seeds share even one point: repeats of a benchmark start from independent designs.
        Set<Point> all = new HashSet<>();
        designs.forEach(all::addAll);
        assertThat(all).hasSize(25);
    }

    /**
     * A digital shift keeps what makes the Sobol sequence uniform: its first 2^m points put exactly one point in each
     * of the 2^m equal intervals of every axis, whatever the seed.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, -7})
    void sobol_firstPowerOfTwoPoints_fillEveryIntervalOfEveryAxis(long seed) {
        SearchSpace box = new SearchSpace(List.of(
                new ContinuousParameter("a", new Bound(0, 1), ""),
                new ContinuousParameter("b", new Bound(0, 1), ""),
                new ContinuousParameter("c", new Bound(0, 1), "")));
        int n = 16;
        List<Proposal> ps = planner("sobol").propose(request(box, List.of(), n, seed));
        for (String axis : List.of("a", "b", "c")) {
            int[] hits = new int[n];
            ps.forEach(p -> hits[(int) Math.floor(p.point().number(axis) * n)]++);
            assertThat(hits).as("axis %s, seed %d", axis, seed).containsOnly(1);
        }
    }

    @org.junit.jupiter.api.Test
    void unknownPlannerOrOption_isAClearError() {
        assertThatThrownBy(() -> PlannerRegistry.standard().create(PlannerSpec.of("magic")))
                .hasMessageContaining("unknown planner type 'magic'")
                .hasMessageContaining("random");
        assertThatThrownBy(() -> PlannerRegistry.standard().create(new PlannerSpec("random", Map.of("x", 1))))
                .hasMessageContaining("takes no options");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sobol", "lhs"})
    void overAPool_aSpaceFillingDesign_picksTheRowsNearestItsPoints_soEveryLevelIsCovered(String name) {
        SearchSpace grid = new SearchSpace(List.of(
                new DiscreteParameter("a", List.of(1.0, 2.0, 3.0, 4.0), ""),
                new CategoricalParameter("b", List.of("w", "x", "y", "z"))));
        List<Point> pool = new ArrayList<>();
        for (double a : List.of(1.0, 2.0, 3.0, 4.0)) {
            for (String b : List.of("w", "x", "y", "z")) {
                pool.add(new Point(Map.of("a", a, "b", b)));
            }
        }
        for (long seed = 1; seed <= 5; seed++) {
            List<Proposal> ps = planner(name)
                    .propose(new PlanningRequest(
                            grid,
                            YIELD,
                            List.of(),
                            List.of(),
                            List.of(),
                            4,
                            Optional.of(pool),
                            new SplittableRandom(seed),
                            seed));
            // Four points of a Sobol sequence, or a Latin hypercube of four, fall in four different quarters of each
            // axis; on a 4 x 4 grid the nearest rows then differ in both parameters.
            assertThat(ps.stream().map(p -> p.point().values().get("a")).distinct())
                    .as("seed %d", seed)
                    .hasSize(4);
            assertThat(ps.stream().map(p -> p.point().values().get("b")).distinct())
                    .as("seed %d", seed)
                    .hasSize(4);
            assertThat(pool).containsAll(ps.stream().map(Proposal::point).toList());
        }
    }
}
