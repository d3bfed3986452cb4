package org.labloop.planner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Expected hypervolume improvement for two maximised objectives whose predictions are independent Gaussians, computed
 * exactly. The region above the reference point that the front does not dominate is cut into stripes along the first
 * objective; in each stripe the improvement is a product of a term in the first objective and one in the second, so its
 * expectation is the product of two one-dimensional expectations (Emmerich, Deutz and Klinkenberg 2011).
 *
 * <p>Internally both objectives are negated (minimised), where the stripes read most simply: with the front sorted by
 * the first coordinate, stripe i spans {@code [a_i, a_{i+1})} in the first and lies below {@code b_i} in the second.
 */
final class Ehvi {
    /** Stripe i: first coordinate from lo[i] (minus infinity for i = 0) to hi[i], second below ceiling[i]. */
    private final double[] lo;

    private final double[] hi;
    private final double[] ceiling;

    /**
     * @param front objective vectors (maximised), any order, dominated ones and those not above {@code reference} in
     *     both objectives allowed (they add nothing)
     * @param reference the point the hypervolume is measured from (maximised)
     */
    Ehvi(List<double[]> front, double[] reference) {
        if (reference.length != 2) {
            throw new IllegalArgumentException("exact EHVI is for two objectives, got " + reference.length);
        }
        double r1 = -reference[0];
        double r2 = -reference[1];
        List<double[]> pts = new ArrayList<>();
        for (double[] p : front) {
            double a = -p[0];
            double b = -p[1];
            if (a < r1 && b < r2) {
                pts.add(new double[] {a, b});
            }
        }
        pts.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        // Keep the staircase: each kept point strictly lower in the second coordinate than every point before it.
        List<double[]> stair = new ArrayList<>();
        for (double[] p : pts) {
            if (stair.isEmpty() || p[1] < stair.get(stair.size() - 1)[1]) {
                stair.add(p);
            }
        }
        int n = stair.size();
        lo = new double[n + 1];
        hi = new double[n + 1];
        ceiling = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            lo[i] = i == 0 ? Double.NEGATIVE_INFINITY : stair.get(i - 1)[0];
            hi[i] = i == n ? r1 : stair.get(i)[0];
            ceiling[i] = i == 0 ? r2 : stair.get(i - 1)[1];
        }
    }

    /** Number of front points that shape the improvement region. */
    int frontSize() {
        return lo.length - 1;
    }

    /** E[HVI] for predictions N(mu1, sd1^2) and N(mu2, sd2^2) of the two (maximised) objectives. */
    double expected(double mu1, double sd1, double mu2, double sd2) {
        if (sd1 > 0 && sd2 > 0) {
            return Math.exp(logExpected(mu1, sd1, mu2, sd2));
        }
        double ma = -mu1;
        double mb = -mu2;
        double sum = 0;
        for (int i = 0; i < lo.length; i++) {
            sum += inStripe(lo[i], hi[i], ma, sd1) * belowCeiling(ceiling[i], mb, sd2);
        }
        return Math.max(0, sum);
    }

    /**
     * log E[HVI] for sd1, sd2 > 0, finite however far the prediction lies behind the front. With h(z) = phi(z) + z
     * Phi(z), stripe i contributes sd1 (h(zu) - h(zl)) sd2 h(zc), where zu, zl and zc are its upper and lower edges
     * in the first objective and its ceiling in the second, each standardised; the sum is taken in log space.
     */
    double logExpected(double mu1, double sd1, double mu2, double sd2) {
        double ma = -mu1;
        double mb = -mu2;
        double[] terms = new double[lo.length];
        double max = Double.NEGATIVE_INFINITY;
        double zLo = Double.NEGATIVE_INFINITY; // stripe i's lower edge, which is stripe i-1's upper one
        double logHLo = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < lo.length; i++) {
            double zHi = (hi[i] - ma) / sd1;
            double logHHi = Acquisition.logH(zHi);
            double logIn;
            if (i == 0) {
                logIn = logHHi;
            } else {
                double gap = logHLo - logHHi;
                // log(h(zu) - h(zl)) = log h(zu) + log(1 - h(zl) / h(zu)) while the two differ clearly; for edges so
                // close that rounding in log h could reverse them, (zu - zl) Phi at the midpoint (h' = Phi).
                logIn = gap < -1e-6
                        ? logHHi + Math.log(-Math.expm1(gap))
                        : Math.log(zHi - zLo) + Acquisition.logNormalCdf(0.5 * (zHi + zLo));
            }
            terms[i] = logIn + Acquisition.logH((ceiling[i] - mb) / sd2);
            max = Math.max(max, terms[i]);
            zLo = zHi;
            logHLo = logHHi;
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return Math.log(sd1) + Math.log(sd2) + max + Math.log(sum);
    }

    /** The hypervolume improvement of a known point (maximised). */
    double improvement(double y1, double y2) {
        return expected(y1, 0, y2, 0);
    }

    /** E[max(0, c - B)] for B ~ N(mu, sd^2). */
    private static double belowCeiling(double c, double mu, double sd) {
        if (!(sd > 0)) {
            return Math.max(0, c - mu);
        }
        return sd * Math.exp(Acquisition.logH((c - mu) / sd));
    }

    /** E[max(0, u - max(A, l))] for A ~ N(mu, sd^2) and l < u (l may be minus infinity): sd (h(zu) - h(zl)). */
    private static double inStripe(double l, double u, double mu, double sd) {
        if (!(sd > 0)) {
            return Math.max(0, u - Math.max(mu, l));
        }
        double hu = Math.exp(Acquisition.logH((u - mu) / sd));
        double hl = l == Double.NEGATIVE_INFINITY ? 0 : Math.exp(Acquisition.logH((l - mu) / sd));
        return sd * Math.max(0, hu - hl);
    }

    /**
     * A reference point for when none is given: the front's worst value in each objective less a tenth of the front's
     * range there, as BoTorch infers one. Taken from the Pareto front of {@code points} (maximised) rather than from
     * every point, so one very poor measurement does not stretch the region the hypervolume rewards. Where the front
     * has a single value in an objective, the interquartile range of all the points stands in (robust to an outlier);
     * where they all agree too, the value's magnitude (1 for 0).
     */
    private static double interquartileRange(double[][] values, int j) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i][j];
        }
        java.util.Arrays.sort(v);
        return quantile(v, 0.75) - quantile(v, 0.25);
    }

    /** Linear interpolation between order statistics of sorted {@code v}. */
    private static double quantile(double[] v, double q) {
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    static double[] reference(List<double[]> points) {
        double[][] values = points.toArray(double[][]::new);
        int m = values[0].length;
        int[] front = Pareto.nonDominated(values, new boolean[m]);
        double[] ref = new double[m];
        for (int j = 0; j < m; j++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i : front) {
                min = Math.min(min, values[i][j]);
                max = Math.max(max, values[i][j]);
            }
            double range = max - min;
            if (!(range > 0)) {
                range = interquartileRange(values, j);
            }
            if (!(range > 0)) {
                range = min != 0 ? Math.abs(min) : 1;
            }
            ref[j] = min - 0.1 * range;
        }
        return ref;
    }
}
