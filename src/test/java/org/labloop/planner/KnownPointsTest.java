package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class KnownPointsTest {
    /** A GP on seeded noisy data in two dimensions, so its posterior covariance is not trivial. */
    private static Gp gp() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 15;
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = r.nextDouble();
            x[i][1] = r.nextDouble();
            y[i] = 100 * Math.sin(5 * x[i][0]) + 40 * x[i][1] + r.nextGaussian() * 5;
        }
        return Gp.fit(x, y, 2, new SplittableRandom(3));
    }

    private static double var(Gp gp, double[] p) {
        double[] m = new double[1];
        double[] v = new double[1];
        gp.predict(new double[][] {p}, 0, 1, m, v);
        return v[0];
    }

    @Test
    void variance_givenKnownPoints_isTheSchurComplementOfTheJointPosteriorCovariance() {
        Gp gp = gp();
        double[][] known = {{0.3, 0.6}, {0.35, 0.55}};
        double[][] probes = {{0.32, 0.58}, {0.9, 0.1}, {0.5, 0.5}};
        KnownPoints k = new KnownPoints(gp);
        for (double[] p : known) {
            k.add(p, var(gp, p));
        }
        assertThat(k.size()).isEqualTo(2);
        for (double[] x : probes) {
            // Joint covariance of (x, known...) from the GP itself; var(x | known) = S_xx - S_xk S_kk^-1 S_kx.
            DMatrixRMaj s = gp.covariance(new double[][] {x, known[0], known[1]});
            DMatrixRMaj skk = new DMatrixRMaj(2, 2);
            CommonOps_DDRM.extract(s, 1, 3, 1, 3, skk, 0, 0);
            DMatrixRMaj skx = new DMatrixRMaj(2, 1);
            CommonOps_DDRM.extract(s, 1, 3, 0, 1, skx, 0, 0);
            DMatrixRMaj solved = new DMatrixRMaj(2, 1);
            assertThat(CommonOps_DDRM.solve(skk, skx, solved)).isTrue();
            double expected = s.get(0, 0) - (skx.get(0) * solved.get(0) + skx.get(1) * solved.get(1));
            assertThat(k.variance(x, var(gp, x)))
                    .as("probe %s", java.util.Arrays.toString(x))
                    .isCloseTo(expected, within(1e-6 * s.get(0, 0)));
        }
    }

    @Test
    void aKnownPoint_hasNoVarianceLeft_andAFarPointKeepsNearlyAll() {
        Gp gp = gp();
        double[] p = {0.4, 0.4};
        KnownPoints k = new KnownPoints(gp);
        k.add(p, var(gp, p));
        assertThat(k.variance(p, var(gp, p))).isLessThan(1e-9 * var(gp, p));
        double[] far = {0.99, 0.99};
        assertThat(k.variance(far, var(gp, far))).isGreaterThan(0.5 * var(gp, far));
    }

    @Test
    void aPointAddedTwice_isKeptOnce_andChangesNothing() {
        Gp gp = gp();
        double[] p = {0.4, 0.4};
        KnownPoints k = new KnownPoints(gp);
        k.add(p, var(gp, p));
        double[] x = {0.45, 0.42};
        double once = k.variance(x, var(gp, x));
        k.add(p.clone(), var(gp, p));
        assertThat(k.size()).isEqualTo(1);
        assertThat(k.variance(x, var(gp, x))).isEqualTo(once);
    }
}
