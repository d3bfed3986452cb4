package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.space.Direction;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.Point;

class HypervolumeTest {

    @Test
    void twoDimensionalFrontMatchesTheHandComputedArea() {
        // Minimise both; reference (4, 4). Staircase: (1,3) (2,2) (3,1): 1*1 + 2*1 + 3*1 = 6; (3,3) is dominated.
        double[][] pts = {{1, 3}, {2, 2}, {3, 1}, {3, 3}};
        assertThat(Hypervolume.of(pts, new double[] {4, 4})).isCloseTo(6, within(1e-12));
    }

    @Test
    void pointsOutsideTheReferenceContributeNothing() {
        double[][] pts = {{5, 0}, {0, 5}, {1, 1}};
        assertThat(Hypervolume.of(pts, new double[] {2, 2})).isCloseTo(1, within(1e-12));
        assertThat(Hypervolume.of(new double[0][], new double[] {2, 2})).isZero();
    }

    @Test
    void mixedDirectionsFlipMaximisedObjectives() {
        // Maximise the first (reference 0), minimise the second (reference 10): box 3 x 4 and 5 x 2 overlap 3 x 2.
        double[][] pts = {{3, 6}, {5, 8}};
        double hv = Hypervolume.of(pts, new double[] {0, 10}, new boolean[] {false, true});
        assertThat(hv).isCloseTo(3 * 4 + 5 * 2 - 3 * 2, within(1e-12));
    }

    @Test
    void threeDimensionalFrontMatchesTheHandComputedVolume() {
        // Reference (2,2,2). Boxes [0,2]x[1,2]x[1,2]... computed by inclusion-exclusion:
        // a=(0,1,1): 2*1*1=2; b=(1,0,1): 1*2*1=2; c=(1,1,0): 1*1*2=2.
        // pairwise intersections: a&b=(1,1,1): 1; a&c=(1,1,1): 1; b&c=(1,1,1): 1; triple (1,1,1): 1.
        // total = 6 - 3 + 1 = 4.
        double[][] pts = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
        assertThat(Hypervolume.of(pts, new double[] {2, 2, 2})).isCloseTo(4, within(1e-12));
        // A single point is a box.
        assertThat(Hypervolume.of(new double[][] {{0.5, 1, 1.5}}, new double[] {2, 2, 2}))
                .isCloseTo(1.5 * 1 * 0.5, within(1e-12));
        // Adding a dominated point changes nothing.
        double[][] more = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {1.5, 1.5, 1.5}};
        assertThat(Hypervolume.of(more, new double[] {2, 2, 2})).isCloseTo(4, within(1e-12));
    }

    @Test
    void moreThanThreeObjectivesIsRejected() {
        assertThatThrownBy(() -> Hypervolume.of(new double[][] {{1, 1, 1, 1}}, new double[] {2, 2, 2, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 3 objectives");
    }

    @Test
    void paretoFrontKeepsExactlyTheNonDominatedObservations() {
        List<Objective> objectives =
                List.of(new Objective("yield", Direction.MAXIMISE), new Objective("cost", Direction.MINIMISE));
        List<Observation> obs = List.of(
                obs(1, 90, 10),
                obs(2, 80, 5),
                obs(3, 70, 8),
                obs(4, 95, 20),
                obs(5, 60, 1),
                new Observation(new Point(Map.of("x", 6.0)), Map.of(), true));
        List<Observation> front = Pareto.front(obs, objectives);
        assertThat(front).extracting(o -> o.point().number("x")).containsExactly(1.0, 2.0, 4.0, 5.0);
        assertThat(Pareto.dominates(new double[] {90, 5}, new double[] {80, 5}, new boolean[] {false, true}))
                .isTrue();
        assertThat(Pareto.dominates(new double[] {80, 5}, new double[] {80, 5}, new boolean[] {false, true}))
                .isFalse();
    }

    private static Observation obs(double x, double yield, double cost) {
        return Observation.of(new Point(Map.of("x", x)), Map.of("yield", yield, "cost", cost));
    }
}
