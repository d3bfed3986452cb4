package org.labloop.planner;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Gaussian-process regression with a Matern 5/2 ARD kernel and Gaussian noise. Inputs are expected in the unit cube;
 * outputs are standardised internally and predictions come back in the original units. Hyperparameters (lengthscales,
 * output scale, noise) are fitted by maximising the log marginal likelihood plus log-normal priors, with analytic
 * gradients and a projected L-BFGS from several starts.
 */
final class Gp {
    static final double SQRT5 = Math.sqrt(5);
    static final double MIN_NOISE = 1e-6;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** Kernel hyperparameters, in standardised output units. */
    record Hyper(double[] lengthscales, double outputscale, double noise) {}

    /** Log-normal priors: the log of each hyperparameter is normal with these means and standard deviations. */
    record Priors(
            double logLengthMean,
            double logLengthSd,
            double logScaleMean,
            double logScaleSd,
            double logNoiseMean,
            double logNoiseSd) {
        /**
         * Dimension-scaled lengthscale prior (Hvarfner et al. 2024, as in BoTorch) and a noise prior centred on a noise
         * variance of 0.22 (in standardised units): on real reaction data a model that assumes some noise generalises
         * better from few points (measured on the direct-arylation benchmark); with enough data the likelihood moves
         * the noise down.
         */
        static Priors standard(int d) {
            return new Priors(Math.sqrt(2) + 0.5 * Math.log(Math.max(1, d)), Math.sqrt(3), 0.0, 1.0, -1.5, 1.0);
        }
    }

    private final double[][] x;
    private final double[] y;
    private final double yMean;
    private final double yStd;
    private final Hyper hyper;
    private final Metric metric;
    private final DMatrixRMaj lower; // Cholesky factor of the kernel matrix plus noise (and any jitter)
    private final DMatrixRMaj kinv;
    private final double[] alpha;

    /** The fitted measurement noise as a standard deviation in the outcome's own units. */
    double noiseSd() {
        return Math.sqrt(hyper.noise()) * yStd;
    }

    private Gp(double[][] x, double[] y, double yMean, double yStd, Hyper hyper, Metric metric) {
        this.x = x;
        this.y = y;
        this.yMean = yMean;
        this.yStd = yStd;
        this.hyper = hyper;
        this.metric = metric;
        int n = x.length;
        DMatrixRMaj k = kernelMatrix(x, hyper, metric);
        Chol chol = new Chol(n);
        if (!chol.factor(k, hyper.noise())) {
            throw new PlanningException("the Gaussian process covariance is not positive definite even with jitter");
        }
        this.kinv = chol.inverse();
        this.lower = chol.lower.copy();
        this.alpha = times(kinv, y);
    }

    /** {@code m v} for a square {@code m}, summed in index order. */
    private static double[] times(DMatrixRMaj m, double[] v) {
        int n = v.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += m.data[i * n + j] * v[j];
            }
            out[i] = s;
        }
        return out;
    }

    /** Fits hyperparameters to {@code (x, y)} and conditions on the data. */
    static Gp fit(double[][] x, double[] yRaw, int restarts, RandomGenerator random) {
        return fit(x, yRaw, restarts, random, Metric.EUCLIDEAN);
    }

    /** Fits with squared distances per feature from {@code metric} (see {@link Metric}). */
    static Gp fit(double[][] x, double[] yRaw, int restarts, RandomGenerator random, Metric metric) {
        return fit(x, yRaw, restarts, random, Priors.standard(x.length == 0 ? 1 : x[0].length), metric);
    }

    static Gp fit(double[][] x, double[] yRaw, int restarts, RandomGenerator random, Priors priors) {
        return fit(x, yRaw, restarts, random, priors, Metric.EUCLIDEAN);
    }

    static Gp fit(double[][] x, double[] yRaw, int restarts, RandomGenerator random, Priors priors, Metric metric) {
        if (x.length == 0) {
            throw new IllegalArgumentException("a Gaussian process needs at least one observation");
        }
        double mean = Arrays.stream(yRaw).average().orElse(0);
        double var = 0;
        for (double v : yRaw) {
            var += (v - mean) * (v - mean);
        }
        double std = yRaw.length > 1 ? Math.sqrt(var / (yRaw.length - 1)) : 0;
        // Constant outputs (to rounding, relative to their size): nothing to standardise. Relative, so that a quantity
        // measured in small units (1e-13 mol) is modelled like the same quantity in larger ones.
        if (!(std > 1e-12 * Math.abs(mean)) || !(std >= Double.MIN_NORMAL)) {
            std = 1;
        }
        double[] y = new double[yRaw.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (yRaw[i] - mean) / std;
        }
        Hyper h = optimise(x, y, restarts, random, priors, metric);
        return new Gp(x, y, mean, std, h, metric);
    }

    /** Conditions on the data with given hyperparameters (in standardised units relative to the data's mean/sd). */
    static Gp withHyper(double[][] x, double[] yRaw, double yMean, double yStd, Hyper h) {
        return withHyper(x, yRaw, yMean, yStd, h, Metric.EUCLIDEAN);
    }

    static Gp withHyper(double[][] x, double[] yRaw, double yMean, double yStd, Hyper h, Metric metric) {
        double[] y = new double[yRaw.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (yRaw[i] - yMean) / yStd;
        }
        return new Gp(x, y, yMean, yStd, h, metric);
    }

    Hyper hyper() {
        return hyper;
    }

    int size() {
        return x.length;
    }

    int dims() {
        return x[0].length;
    }

    double yMean() {
        return yMean;
    }

    double yStd() {
        return yStd;
    }

    /** Prior variance of the outcome, in its own units. */
    double priorVariance() {
        return hyper.outputscale() * yStd * yStd;
    }

    /**
     * Kriging believer: a copy conditioned also on {@code extra} points whose outcomes are taken to be the current
     * posterior mean. The posterior mean does not change anywhere; the variance shrinks near the extra points.
     */
    Gp withFantasies(double[][] extra) {
        if (extra.length == 0) {
            return this;
        }
        double[] m = new double[extra.length];
        double[] v = new double[extra.length];
        predictStandardised(extra, 0, extra.length, m, v);
        double[][] nx = Arrays.copyOf(x, x.length + extra.length);
        double[] ny = Arrays.copyOf(y, y.length + extra.length);
        for (int i = 0; i < extra.length; i++) {
            nx[x.length + i] = extra[i];
            ny[y.length + i] = m[i];
        }
        return new Gp(nx, ny, yMean, yStd, hyper, metric);
    }

    /** Posterior mean and variance (original units) of rows {@code from..to-1} of {@code xs}. */
    void predict(double[][] xs, int from, int to, double[] mean, double[] var) {
        predictStandardised(xs, from, to, mean, var);
        for (int i = 0; i < to - from; i++) {
            mean[i] = mean[i] * yStd + yMean;
            var[i] = var[i] * yStd * yStd;
        }
    }

    /** Posterior mean and variance of all of {@code xs} (original units), computed in chunks. */
    void predictAll(double[][] xs, double[] mean, double[] var) {
        int chunk = 2048;
        double[] m = new double[chunk];
        double[] v = new double[chunk];
        for (int from = 0; from < xs.length; from += chunk) {
            int to = Math.min(xs.length, from + chunk);
            predict(xs, from, to, m, v);
            System.arraycopy(m, 0, mean, from, to - from);
            System.arraycopy(v, 0, var, from, to - from);
        }
    }

    private void predictStandardised(double[][] xs, int from, int to, double[] mean, double[] var) {
        int n = x.length;
        int c = to - from;
        DMatrixRMaj ks = new DMatrixRMaj(c, n);
        double[] ls = hyper.lengthscales();
        double s = hyper.outputscale();
        for (int i = 0; i < c; i++) {
            double[] a = xs[from + i];
            int row = i * n;
            for (int j = 0; j < n; j++) {
                ks.data[row + j] = s * matern(Math.sqrt(metric.scaledSquared(a, x[j], ls)));
            }
        }
        DMatrixRMaj m = new DMatrixRMaj(c, n);
        CommonOps_DDRM.mult(ks, kinv, m);
        for (int i = 0; i < c; i++) {
            int row = i * n;
            double mu = 0;
            double q = 0;
            for (int j = 0; j < n; j++) {
                mu += ks.data[row + j] * alpha[j];
                q += m.data[row + j] * ks.data[row + j];
            }
            mean[i] = mu;
            var[i] = Math.max(s - q, 1e-12 * s);
        }
    }

    /** Prior covariances (standardised units) of {@code a} with every conditioning point, into {@code out}. */
    void kernelRow(double[] a, double[] out) {
        double[] ls = hyper.lengthscales();
        double s = hyper.outputscale();
        for (int j = 0; j < x.length; j++) {
            out[j] = s * matern(Math.sqrt(metric.scaledSquared(a, x[j], ls)));
        }
    }

    /** Prior covariance (standardised units) of two points. */
    double prior(double[] a, double[] b) {
        return hyper.outputscale() * matern(Math.sqrt(metric.scaledSquared(a, b, hyper.lengthscales())));
    }

    /** {@code K^-1 k(X, p)}: what the posterior covariance of {@code p} with any point needs from the data. */
    double[] solve(double[] p) {
        int n = x.length;
        double[] row = new double[n];
        kernelRow(p, row);
        return times(kinv, row);
    }

    /**
     * Posterior covariance (original units) of the given points, jointly: {@code K** - V^T V} with {@code V = L^-1 K*}
     * from the Cholesky factor, not through the explicit inverse, whose rounding (of the order of the machine epsilon
     * times the condition number) would swamp small posterior variances once the data are dense and nearly
     * noise-free. What is left is rounding of the order of epsilon times the prior variance.
     */
    DMatrixRMaj covariance(double[][] pts) {
        int n = x.length;
        int c = pts.length;
        double[] ls = hyper.lengthscales();
        double s = hyper.outputscale();
        DMatrixRMaj v = new DMatrixRMaj(n, c); // K*^T, then L^-1 K*^T
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < n; j++) {
                v.data[j * c + i] = s * matern(Math.sqrt(metric.scaledSquared(pts[i], x[j], ls)));
            }
        }
        TriangularSolver_DDRM.solveL(lower.data, v.data, n, c);
        DMatrixRMaj cov = new DMatrixRMaj(c, c);
        CommonOps_DDRM.multTransA(v, v, cov);
        double v2 = yStd * yStd;
        for (int i = 0; i < c; i++) {
            for (int j = 0; j <= i; j++) {
                double prior = s * matern(Math.sqrt(metric.scaledSquared(pts[i], pts[j], ls)));
                double val = (prior - 0.5 * (cov.get(i, j) + cov.get(j, i))) * v2;
                cov.set(i, j, val);
                cov.set(j, i, val);
            }
        }
        return cov;
    }

    static double matern(double r) {
        double sr = SQRT5 * r;
        return (1 + sr + sr * sr / 3) * Math.exp(-sr);
    }

    private static DMatrixRMaj kernelMatrix(double[][] x, Hyper h, Metric metric) {
        int n = x.length;
        DMatrixRMaj k = new DMatrixRMaj(n, n);
        double s = h.outputscale();
        for (int i = 0; i < n; i++) {
            k.data[i * n + i] = s;
            for (int j = 0; j < i; j++) {
                double v = s * matern(Math.sqrt(metric.scaledSquared(x[i], x[j], h.lengthscales())));
                k.data[i * n + j] = v;
                k.data[j * n + i] = v;
            }
        }
        return k;
    }

    /** Cholesky factorisation of {@code k + noise I} with adaptive jitter, and the inverse; buffers are reused. */
    static final class Chol {
        private final int n;
        private final DMatrixRMaj work;
        private final DMatrixRMaj lower;
        private final LinearSolverDense<DMatrixRMaj> solver;

        Chol(int n) {
            this.n = n;
            this.work = new DMatrixRMaj(n, n);
            this.lower = new DMatrixRMaj(n, n);
            this.solver = LinearSolverFactory_DDRM.chol(n);
        }

        boolean factor(DMatrixRMaj k, double noise) {
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag = Math.max(diag, k.data[i * n + i]);
            }
            double jitter = 0;
            for (int attempt = 0; attempt < 8; attempt++) {
                work.setTo(k);
                for (int i = 0; i < n; i++) {
                    work.data[i * n + i] += noise + jitter;
                }
                if (solver.setA(work)) {
                    CholeskyDecomposition_F64<DMatrixRMaj> dec = solver.getDecomposition();
                    dec.getT(lower);
                    boolean ok = true;
                    for (int i = 0; i < n && ok; i++) {
                        double v = lower.data[i * n + i];
                        ok = v > 0 && Double.isFinite(v);
                    }
                    if (ok) {
                        return true;
                    }
                }
                jitter = jitter == 0 ? 1e-10 * Math.max(diag, 1e-300) : jitter * 10;
            }
            return false;
        }

        double logDet() {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += Math.log(lower.data[i * n + i]);
            }
            return 2 * s;
        }

        /** A new matrix holding the inverse of the last factorised matrix. */
        DMatrixRMaj inverse() {
            DMatrixRMaj inv = new DMatrixRMaj(n, n);
            solver.invert(inv);
            return inv;
        }
    }

    /**
     * Lower Cholesky factor of {@code k + noise I}, adding jitter (relative to the diagonal) until it succeeds; null
     * when even a large jitter fails. {@code k} is left unchanged.
     */
    static DMatrixRMaj cholesky(DMatrixRMaj k, double noise) {
        int n = k.numRows;
        double diag = 0;
        for (int i = 0; i < n; i++) {
            diag = Math.max(diag, k.get(i, i));
        }
        double jitter = 0;
        for (int attempt = 0; attempt < 8; attempt++) {
            DMatrixRMaj a = k.copy();
            for (int i = 0; i < n; i++) {
                a.data[i * n + i] += noise + jitter;
            }
            CholeskyDecompositionInner_DDRM chol = new CholeskyDecompositionInner_DDRM(true);
            if (chol.decompose(a)) {
                DMatrixRMaj l = chol.getT(null);
                boolean finite = true;
                for (int i = 0; i < n && finite; i++) {
                    finite = l.data[i * n + i] > 0 && Double.isFinite(l.data[i * n + i]);
                }
                if (finite) {
                    return l;
                }
            }
            jitter = jitter == 0 ? 1e-10 * Math.max(diag, 1e-300) : jitter * 10;
        }
        return null;
    }

    // ---------------------------------------------------------------- hyperparameter fitting

    private static Hyper optimise(
            double[][] x, double[] y, int restarts, RandomGenerator random, Priors priors, Metric metric) {
        int n = x.length;
        int d = x[0].length;
        int p = d + 2;
        double[] sq = squaredDifferences(x, metric);
        double[] lo = new double[p];
        double[] hi = new double[p];
        for (int k = 0; k < d; k++) {
            lo[k] = Math.log(0.01);
            hi[k] = Math.log(1000);
        }
        lo[d] = Math.log(0.01);
        hi[d] = Math.log(100);
        lo[d + 1] = Math.log(MIN_NOISE);
        hi[d + 1] = Math.log(2);
        Workspace ws = new Workspace(n);
        Lbfgs.Objective f = (theta, grad) -> {
            double v = logPosterior(theta, grad, y, sq, n, d, priors, true, ws);
            for (int q = 0; q < grad.length; q++) {
                grad[q] = -grad[q];
            }
            return -v;
        };
        double best = Double.POSITIVE_INFINITY;
        double[] bestTheta = null;
        int starts = Math.max(1, restarts);
        for (int r = 0; r < starts; r++) {
            double[] t0 = new double[p];
            for (int k = 0; k < d; k++) {
                t0[k] = priors.logLengthMean() + (r == 0 ? 0 : random.nextGaussian() * priors.logLengthSd() * 0.5);
            }
            t0[d] = priors.logScaleMean() + (r == 0 ? 0 : random.nextGaussian() * priors.logScaleSd() * 0.5);
            t0[d + 1] = priors.logNoiseMean() + (r == 0 ? 0 : random.nextGaussian() * priors.logNoiseSd() * 0.5);
            Lbfgs.project(t0, lo, hi);
            Lbfgs.Result res = Lbfgs.minimise(f, t0, lo, hi, 100, 10);
            if (res.value() < best) {
                best = res.value();
                bestTheta = res.x();
            }
        }
        if (bestTheta == null) {
            // Every start failed numerically: fall back to the prior's centre with a comfortable noise.
            bestTheta = new double[p];
            for (int k = 0; k < d; k++) {
                bestTheta[k] = priors.logLengthMean();
            }
            bestTheta[d + 1] = Math.log(0.1);
            Lbfgs.project(bestTheta, lo, hi);
        }
        double[] ls = new double[d];
        for (int k = 0; k < d; k++) {
            ls[k] = Math.exp(bestTheta[k]);
        }
        return new Hyper(ls, Math.exp(bestTheta[d]), Math.exp(bestTheta[d + 1]));
    }

    /** Squared differences per dimension for every pair i > j, row-major by pair: {@code sq[pair * d + k]}. */
    static double[] squaredDifferences(double[][] x) {
        return squaredDifferences(x, Metric.EUCLIDEAN);
    }

    /** {@link #squaredDifferences(double[][])} with squared distances per feature from {@code metric}. */
    static double[] squaredDifferences(double[][] x, Metric metric) {
        int n = x.length;
        int d = x[0].length;
        double[] sq = new double[n * (n - 1) / 2 * d];
        int idx = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                for (int k = 0; k < d; k++) {
                    sq[idx * d + k] = metric.squared(k, x[i][k], x[j][k]);
                }
                idx++;
            }
        }
        return sq;
    }

    /** Log marginal likelihood of {@code y} under {@code hyper}, without priors (for tests and diagnostics). */
    static double logMarginalLikelihood(double[][] x, double[] y, Hyper hyper) {
        int n = x.length;
        int d = x[0].length;
        double[] sq = squaredDifferences(x);
        double[] theta = new double[d + 2];
        for (int k = 0; k < d; k++) {
            theta[k] = Math.log(hyper.lengthscales()[k]);
        }
        theta[d] = Math.log(hyper.outputscale());
        theta[d + 1] = Math.log(hyper.noise());
        return logPosterior(theta, new double[d + 2], y, sq, n, d, Priors.standard(d), false);
    }

    /** Log marginal likelihood plus log priors, and its gradient with respect to the log hyperparameters. */
    static double logPosterior(
            double[] theta, double[] grad, double[] y, double[] sq, int n, int d, Priors pr, boolean withPriors) {
        return logPosterior(theta, grad, y, sq, n, d, pr, withPriors, new Workspace(n));
    }

    /** Buffers reused across likelihood evaluations of one fit. */
    static final class Workspace {
        final DMatrixRMaj k;
        final double[] g;
        final Chol chol;

        Workspace(int n) {
            k = new DMatrixRMaj(n, n);
            g = new double[n * (n - 1) / 2];
            chol = new Chol(n);
        }
    }

    static double logPosterior(
            double[] theta,
            double[] grad,
            double[] y,
            double[] sq,
            int n,
            int d,
            Priors pr,
            boolean withPriors,
            Workspace ws) {
        double[] invL2 = new double[d];
        for (int k = 0; k < d; k++) {
            invL2[k] = Math.exp(-2 * theta[k]);
        }
        double s = Math.exp(theta[d]);
        double noise = Math.exp(theta[d + 1]);
        double[] g = ws.g; // s * (5/3) (1 + sqrt5 r) exp(-sqrt5 r)
        DMatrixRMaj k = ws.k;
        int idx = 0;
        for (int i = 0; i < n; i++) {
            k.data[i * n + i] = s;
            for (int j = 0; j < i; j++) {
                int base = idx * d;
                double r2 = 0;
                for (int q = 0; q < d; q++) {
                    r2 += sq[base + q] * invL2[q];
                }
                double sr = SQRT5 * Math.sqrt(r2);
                double e = Math.exp(-sr);
                double v = s * (1 + sr + sr * sr / 3) * e;
                k.data[i * n + j] = v;
                k.data[j * n + i] = v;
                g[idx] = s * (5.0 / 3.0) * (1 + sr) * e;
                idx++;
            }
        }
        Chol chol = ws.chol;
        if (!chol.factor(k, noise)) {
            Arrays.fill(grad, 0);
            return Double.NEGATIVE_INFINITY;
        }
        double logDet = chol.logDet();
        DMatrixRMaj kinv = chol.inverse();
        double[] a = times(kinv, y);
        double fit = 0;
        for (int i = 0; i < n; i++) {
            fit += y[i] * a[i];
        }
        double lml = -0.5 * fit - 0.5 * logDet - 0.5 * n * LOG_2PI;
        // W = a a^T - K^{-1}; dL/dtheta = 0.5 tr(W dK/dtheta).
        Arrays.fill(grad, 0);
        double trW = 0;
        double gradS = 0;
        idx = 0;
        for (int i = 0; i < n; i++) {
            double wii = a[i] * a[i] - kinv.data[i * n + i];
            trW += wii;
            gradS += 0.5 * wii * s;
            for (int j = 0; j < i; j++) {
                double w = a[i] * a[j] - kinv.data[i * n + j];
                // Off-diagonal pairs appear twice in the trace: 0.5 * 2 = 1.
                gradS += w * k.data[i * n + j];
                double wg = w * g[idx];
                int base = idx * d;
                for (int q = 0; q < d; q++) {
                    grad[q] += wg * sq[base + q];
                }
                idx++;
            }
        }
        for (int q = 0; q < d; q++) {
            grad[q] *= invL2[q];
        }
        grad[d] = gradS;
        grad[d + 1] = 0.5 * noise * trW;
        if (withPriors) {
            for (int q = 0; q < d; q++) {
                double z = (theta[q] - pr.logLengthMean()) / pr.logLengthSd();
                lml -= 0.5 * z * z;
                grad[q] -= z / pr.logLengthSd();
            }
            double zs = (theta[d] - pr.logScaleMean()) / pr.logScaleSd();
            lml -= 0.5 * zs * zs;
            grad[d] -= zs / pr.logScaleSd();
            double zn = (theta[d + 1] - pr.logNoiseMean()) / pr.logNoiseSd();
            lml -= 0.5 * zn * zn;
            grad[d + 1] -= zn / pr.logNoiseSd();
        }
        return lml;
    }
}
