package org.labloop.planner;

import java.util.ArrayList;
import java.util.List;

/**
 * A GP's posterior variance once its latent values at some points are taken as known (at its posterior means there,
 * so means do not move): var(x) - c(x, P) C(P, P)^-1 c(P, x), with c the posterior covariance.
 *
 * <p>Used by expected hypervolume improvement under the option {@code avoid_repeats}. EHVI puts experiments still
 * running, and the batch's earlier points, on the front at their predicted means; scoring a candidate's uncertainty
 * independently of theirs credits a candidate beside one of them with the improvement of measuring it twice.
 * Conditioned on them, a candidate at such a point has no uncertainty left and nothing to add; one far from them keeps
 * nearly all of its uncertainty.
 */
final class KnownPoints {
    private final Gp gp;
    private final double v2;
    private final double floor;
    private final List<double[]> points = new ArrayList<>();
    /** K^-1 k(X, p) of each point, standardised units. */
    private final List<double[]> solved = new ArrayList<>();
    /** Each point's row of the Cholesky factor of C(P, P), original units. */
    private final List<double[]> factor = new ArrayList<>();

    private final double[] row;

    KnownPoints(Gp gp) {
        this.gp = gp;
        this.v2 = gp.yStd() * gp.yStd();
        this.row = new double[gp.size()];
        // A point whose remaining sd is below this is already determined by the others (numerically a duplicate).
        this.floor = 1e-6 * Math.sqrt(gp.hyper().outputscale() * v2);
    }

    /** Takes the latent value at {@code x} as known; {@code var} is the posterior variance there. */
    void add(double[] x, double var) {
        double[] l = loadings(x, var);
        if (l[l.length - 1] <= floor) {
            return;
        }
        points.add(x);
        solved.add(gp.solve(x));
        factor.add(l);
    }

    int size() {
        return points.size();
    }

    /** The posterior variance at {@code x} (which is {@code var} before conditioning) given the known points. */
    double variance(double[] x, double var) {
        if (points.isEmpty()) {
            return var;
        }
        double sd = loadings(x, var)[points.size()];
        return Math.max(sd * sd, 1e-12 * var);
    }

    /**
     * The row of {@code x} in the joint Cholesky factor with the known points: its loadings on them, then the sd left
     * (last entry).
     */
    private double[] loadings(double[] x, double var) {
        int s = points.size();
        double[] a = new double[s + 1];
        if (s > 0) {
            gp.kernelRow(x, row);
        }
        double rest = var;
        for (int t = 0; t < s; t++) {
            double[] w = solved.get(t);
            double k = gp.prior(x, points.get(t));
            for (int j = 0; j < row.length; j++) {
                k -= row[j] * w[j];
            }
            double cov = k * v2;
            double[] l = factor.get(t);
            for (int u = 0; u < t; u++) {
                cov -= l[u] * a[u];
            }
            a[t] = cov / l[t];
            rest -= a[t] * a[t];
        }
        a[s] = Math.sqrt(Math.max(rest, 0));
        return a;
    }
}
