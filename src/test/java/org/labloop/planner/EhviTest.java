package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hipparchus.special.Erf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EhviTest {
    private static final double[] ORIGIN = {0, 0};
    private static final boolean[] MAXIMISE = {false, false};

    @Test
    void certainPoint_improvesByTheAreaItAloneDominates() {
        // Front (1,3), (2,2), (3,1) from (0,0): the point (2.5, 2.5) adds [1,2.5]x[2,2.5] and [2,2.5]x[1,2],
        // 0.75 + 0.5 = 1.25 by hand.
        Ehvi ehvi = new Ehvi(List.of(new double[] {1, 3}, new double[] {2, 2}, new double[] {3, 1}), ORIGIN);
        assertThat(ehvi.frontSize()).isEqualTo(3);
        assertThat(ehvi.improvement(2.5, 2.5)).isCloseTo(1.25, within(1e-12));
        assertThat(ehvi.improvement(1.5, 1.5)).isZero();
        assertThat(ehvi.improvement(4, 0.5)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void dominatedAndOutOfRangePoints_doNotShapeTheFront() {
        Ehvi ehvi = new Ehvi(
                List.of(new double[] {2, 2}, new double[] {1, 1}, new double[] {5, -1}, new double[] {2, 2}), ORIGIN);
        assertThat(ehvi.frontSize()).isEqualTo(1);
        assertThat(ehvi.improvement(3, 3)).isCloseTo(9 - 4, within(1e-12));
    }

    @Test
    void emptyFront_isTheProductOfTwoOneDimensionalImprovements() {
        Ehvi ehvi = new Ehvi(List.of(), new double[] {1, -2});
        double mu1 = 1.3;
        double sd1 = 0.7;
        double mu2 = -2.5;
        double sd2 = 1.1;
        double expected = ei(mu1, sd1, 1) * ei(mu2, sd2, -2);
        assertThat(ehvi.expected(mu1, sd1, mu2, sd2)).isCloseTo(expected, within(1e-12));
    }

    /** E[HVI] against a Monte Carlo mean of the exact improvement, within four standard errors. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void expectedImprovement_matchesMonteCarlo(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<double[]> front = new ArrayList<>();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            double t = random.nextDouble();
            front.add(new double[] {3 * t + 0.3 * random.nextDouble(), 3 * (1 - t) + 0.3 * random.nextDouble()});
        }
        double[] ref = {-0.2, -0.1};
        Ehvi ehvi = new Ehvi(front, ref);
        double mu1 = 3 * random.nextDouble();
        double mu2 = 3 * random.nextDouble();
        double sd1 = 0.1 + random.nextDouble();
        double sd2 = 0.1 + random.nextDouble();
        double[][] pts = front.toArray(double[][]::new);
        double base = Hypervolume.of(pts, ref, MAXIMISE);
        double[][] plus = new double[pts.length + 1][];
        System.arraycopy(pts, 0, plus, 0, pts.length);
        int samples = 100_000;
        double sum = 0;
        double sumSq = 0;
        for (int s = 0; s < samples; s++) {
            double y1 = mu1 + sd1 * gaussian(random);
            double y2 = mu2 + sd2 * gaussian(random);
            plus[pts.length] = new double[] {y1, y2};
            double hvi = Hypervolume.of(plus, ref, MAXIMISE) - base;
            // The exact improvement of a known point agrees with the hypervolume's difference.
            if (s < 200) {
                assertThat(ehvi.improvement(y1, y2)).isCloseTo(hvi, within(1e-9));
            }
            sum += hvi;
            sumSq += hvi * hvi;
        }
        double mean = sum / samples;
        double se = Math.sqrt((sumSq / samples - mean * mean) / samples);
        assertThat(ehvi.expected(mu1, sd1, mu2, sd2)).isCloseTo(mean, within(4 * se + 1e-9));
    }

    @Test
    void farBehindTheFront_theLogStaysFiniteAndStillRanks() {
        Ehvi ehvi = new Ehvi(List.of(new double[] {1, 3}, new double[] {2, 2}, new double[] {3, 1}), ORIGIN);
        // Hundreds of sds behind: the plain expectation underflows to 0, its log does not.
        double far = ehvi.logExpected(-40, 0.1, -40, 0.1);
        double farther = ehvi.logExpected(-60, 0.1, -60, 0.1);
        assertThat(ehvi.expected(-40, 0.1, -40, 0.1)).isZero();
        assertThat(far).isFinite();
        assertThat(farther).isFinite().isLessThan(far);
        // Where the expectation is representable, the log agrees with a quadrature of the exact improvement (to the
        // quadrature's own error, a few parts in ten thousand).
        for (double mu : new double[] {-1, 0.5, 1.5, 2.5, 4}) {
            assertThat(ehvi.logExpected(mu, 0.4, 2.2 - mu / 2, 0.7))
                    .isCloseTo(Math.log(plainExpected(ehvi, mu, 0.4, 2.2 - mu / 2, 0.7)), within(2e-3));
        }
    }

    /** Front points a few ulps apart in the first objective: the stripe between them must not make the log NaN. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void nearlyCoincidentFrontPoints_giveAFiniteLog_closeToTheFrontWithOnePoint(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < 20_000; c++) {
            double x = random.nextDouble();
            double x2 = x;
            for (int k = random.nextInt(1, 4); k > 0; k--) {
                x2 = Math.nextUp(x2);
            }
            Ehvi close = new Ehvi(List.of(new double[] {x, 0.5}, new double[] {x2, 0.4}), new double[] {-1, -1});
            Ehvi single = new Ehvi(List.of(new double[] {x, 0.5}, new double[] {x, 0.4}), new double[] {-1, -1});
            double sd = 1e-3 + 0.01 * random.nextDouble();
            double mu1 = x - (random.nextDouble() * 60 - 10) * sd;
            double mu2 = random.nextDouble() - 0.5;
            double a = close.logExpected(mu1, sd, mu2, 0.3);
            assertThat(a).as("case %d", c).isNotNaN();
            // The sliver between the two points adds next to nothing.
            assertThat(a).isCloseTo(single.logExpected(mu1, sd, mu2, 0.3), within(1e-6 + 1e-9 * Math.abs(a)));
        }
    }

    @Test
    void oneCertainObjective_isTheLimitOfAShrinkingSd() {
        Ehvi ehvi = new Ehvi(List.of(new double[] {1, 3}, new double[] {2, 2}, new double[] {3, 1}), ORIGIN);
        double exact = ehvi.expected(2.5, 0, 1.8, 0.6);
        assertThat(exact).isPositive();
        assertThat(ehvi.expected(2.5, 1e-7, 1.8, 0.6)).isCloseTo(exact, within(1e-6));
        assertThat(ehvi.expected(1.8, 0.6, 2.5, 0)).isCloseTo(ehvi.expected(1.8, 0.6, 2.5, 1e-7), within(1e-6));
    }

    @Test
    void defaultReference_whenTheFrontHasOneValueInAnObjective_usesTheInterquartileRangeOfAllPoints() {
        // One front point (2, 0) dominates the rest; its 0 in the second objective gives no range there. The second
        // objective's values are 0, -1, -2, -3 and an outlier -1000: quartiles -3 and -1, so a range of 2.
        List<double[]> points = List.of(
                new double[] {2, 0}, new double[] {1, -1}, new double[] {0.5, -2}, new double[] {0, -3}, new double[] {
                    -1, -1000
                });
        double[] ref = Ehvi.reference(points);
        // The first objective's front has one value too: its values -1, 0, 0.5, 1, 2 have quartiles 0 and 1.
        assertThat(ref[0]).isCloseTo(2 - 0.1 * 1, within(1e-12));
        assertThat(ref[1]).isCloseTo(0 - 0.1 * 2, within(1e-12));
        // Every point equal: a tenth of the magnitude, or of 1 at 0.
        double[] flat = Ehvi.reference(List.of(new double[] {0, 50}, new double[] {0, 50}));
        assertThat(flat[0]).isCloseTo(-0.1, within(1e-12));
        assertThat(flat[1]).isCloseTo(45, within(1e-12));
    }

    /** E[HVI] by averaging the exact improvement over a fine grid of the two normals, an independent check. */
    private static double plainExpected(Ehvi ehvi, double mu1, double sd1, double mu2, double sd2) {
        int n = 400;
        double sum = 0;
        double weight = 0;
        for (int i = 0; i < n; i++) {
            double z1 = -6 + 12.0 * (i + 0.5) / n;
            for (int j = 0; j < n; j++) {
                double z2 = -6 + 12.0 * (j + 0.5) / n;
                double w = Math.exp(-0.5 * (z1 * z1 + z2 * z2));
                sum += w * ehvi.improvement(mu1 + sd1 * z1, mu2 + sd2 * z2);
                weight += w;
            }
        }
        return sum / weight;
    }

    @Test
    void defaultReference_isTakenFromTheFront_notFromAPoorOutlier() {
        // The outlier (-1000, 0) is dominated by (1, 3): the reference ignores it.
        double[] ref = Ehvi.reference(
                List.of(new double[] {1, 3}, new double[] {3, 1}, new double[] {-1000, 0}, new double[] {2, 2}));
        assertThat(ref[0]).isCloseTo(1 - 0.2, within(1e-12));
        assertThat(ref[1]).isCloseTo(1 - 0.2, within(1e-12));
    }

    private static double ei(double mu, double sd, double best) {
        double z = (mu - best) / sd;
        double pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
        double cdf = 0.5 * Erf.erfc(-z / Math.sqrt(2));
        return sd * pdf + (mu - best) * cdf;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller from the seeded stream, so the estimate is the same on every run.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
