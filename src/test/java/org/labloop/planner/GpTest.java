package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class GpTest {
    private static final Gp.Priors WEAK = new Gp.Priors(0, 3, 0, 3, -10, 3);

    private static double[][] grid1d(int n) {
        double[][] x = new double[n][1];
        for (int i = 0; i < n; i++) {
            x[i][0] = i / (n - 1.0);
        }
        return x;
    }

    @Test
    void posteriorMeanInterpolatesNoiseFreeData() {
        double[][] x = grid1d(8);
        double[] y = new double[8];
        for (int i = 0; i < 8; i++) {
            y[i] = Math.sin(6 * x[i][0]) + 2;
        }
        Gp gp = Gp.fit(x, y, 3, new SplittableRandom(1), WEAK);
        double[] mean = new double[8];
        double[] var = new double[8];
        gp.predict(x, 0, 8, mean, var);
        for (int i = 0; i < 8; i++) {
            assertThat(mean[i]).isCloseTo(y[i], within(1e-3));
        }
    }

    @Test
    void varianceShrinksAtObservedPointsAndGrowsAwayFromThem() {
        double[][] x = {{0.2}, {0.5}, {0.8}};
        double[] y = {1, 3, 2};
        Gp gp = Gp.withHyper(x, y, 2, 1, new Gp.Hyper(new double[] {0.2}, 1, 1e-4));
        double[][] at = {{0.2}, {0.5}, {0.8}, {0.35}, {1.0}};
        double[] mean = new double[5];
        double[] var = new double[5];
        gp.predict(at, 0, 5, mean, var);
        double prior = 1.0; // outputscale 1, output sd 1
        for (int i = 0; i < 3; i++) {
            assertThat(var[i]).isLessThan(1e-3 * prior);
        }
        assertThat(var[3]).isGreaterThan(10 * var[0]);
        assertThat(var[4]).isGreaterThan(var[3]);
        assertThat(var[4]).isLessThanOrEqualTo(prior);
    }

    @Test
    void fittingRecoversAKnownLengthscaleWithinThirtyPercent() {
        // Draw a function from a GP with lengthscale 0.25 in dimension 0 and a long one (5) in dimension 1.
        int n = 80;
        SplittableRandom random = new SplittableRandom(7);
        double[][] x = new double[n][2];
        for (double[] row : x) {
            row[0] = random.nextDouble();
            row[1] = random.nextDouble();
        }
        Gp.Hyper truth = new Gp.Hyper(new double[] {0.25, 5}, 1, 1e-6);
        Gp prior = Gp.withHyper(new double[][] {{-10, -10}}, new double[] {0}, 0, 1, truth);
        DMatrixRMaj cov = prior.covariance(x);
        DMatrixRMaj l = Gp.cholesky(cov, 1e-8);
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = random.nextGaussian();
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                y[i] += l.get(i, j) * z[j];
            }
        }
        Gp gp = Gp.fit(x, y, 4, new SplittableRandom(3), WEAK);
        assertThat(gp.hyper().lengthscales()[0]).isCloseTo(0.25, within(0.25 * 0.3));
        assertThat(gp.hyper().lengthscales()[1]).isGreaterThan(1.0);
    }

    @Test
    void fittedNoise_inTheOutcomesUnits_recoversTheNoiseOfTheData() {
        // 200 readings of 50 sin(6x) + 300 with noise of sd 5, in units where the outcome spans about 100.
        SplittableRandom random = new SplittableRandom(11);
        int n = 200;
        double[][] x = new double[n][1];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = random.nextDouble();
            y[i] = 50 * Math.sin(6 * x[i][0]) + 300 + 5 * random.nextGaussian();
        }
        Gp gp = Gp.fit(x, y, 2, new SplittableRandom(3), WEAK);
        assertThat(gp.noiseSd()).isCloseTo(5.0, within(1.0));
    }

    @Test
    void analyticGradientMatchesFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 12;
        int d = 3;
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                x[i][k] = random.nextDouble();
            }
            y[i] = Math.sin(3 * x[i][0]) + x[i][1] * x[i][2];
        }
        double[] sq = Gp.squaredDifferences(x);
        double[] theta = {-0.5, 0.3, -1.0, 0.2, -3.0};
        double[] grad = new double[5];
        Gp.Priors priors = Gp.Priors.standard(d);
        Gp.logPosterior(theta, grad, y, sq, n, d, priors, true);
        for (int q = 0; q < theta.length; q++) {
            double h = 1e-5;
            double[] up = theta.clone();
            double[] down = theta.clone();
            up[q] += h;
            down[q] -= h;
            double numeric = (Gp.logPosterior(up, new double[5], y, sq, n, d, priors, true)
                            - Gp.logPosterior(down, new double[5], y, sq, n, d, priors, true))
                    / (2 * h);
            assertThat(grad[q]).as("d/dtheta[%d]", q).isCloseTo(numeric, within(1e-4 * (1 + Math.abs(numeric))));
        }
    }

    @Test
    void duplicatePointsAndConstantOutputsNeverGiveNaN() {
        double[][] x = {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.1, 0.9}};
        double[] constant = {3, 3, 3, 3};
        Gp gp = Gp.fit(x, constant, 3, new SplittableRandom(1));
        double[][] at = {{0.5, 0.5}, {0.0, 0.0}};
        double[] mean = new double[2];
        double[] var = new double[2];
        gp.predict(at, 0, 2, mean, var);
        for (int i = 0; i < 2; i++) {
            assertThat(mean[i]).isCloseTo(3, within(1e-6));
            assertThat(var[i]).isNotNaN().isGreaterThanOrEqualTo(0);
        }

        double[] conflicting = {1, 2, 3, 0};
        Gp noisy = Gp.fit(x, conflicting, 3, new SplittableRandom(1));
        noisy.predict(at, 0, 2, mean, var);
        for (int i = 0; i < 2; i++) {
            assertThat(mean[i]).isFinite();
            assertThat(var[i]).isFinite().isPositive();
        }
        assertThat(mean[0]).isBetween(1.0, 3.0);
    }

    @Test
    void krigingBelieverKeepsTheMeanAndShrinksTheVarianceNearTheFantasy() {
        double[][] x = {{0.1}, {0.9}};
        double[] y = {0, 1};
        Gp gp = Gp.withHyper(x, y, 0.5, 0.5, new Gp.Hyper(new double[] {0.3}, 1, 1e-3));
        Gp fantasy = gp.withFantasies(new double[][] {{0.5}});
        double[][] at = {{0.45}, {0.5}};
        double[] m0 = new double[2];
        double[] v0 = new double[2];
        double[] m1 = new double[2];
        double[] v1 = new double[2];
        gp.predict(at, 0, 2, m0, v0);
        fantasy.predict(at, 0, 2, m1, v1);
        assertThat(m1[0]).isCloseTo(m0[0], within(1e-9));
        assertThat(v1[1]).isLessThan(0.01 * v0[1]);
        assertThat(v1[0]).isLessThan(0.5 * v0[0]);
    }
}
