package org.labloop.planner;

/** Limited-memory BFGS with box constraints handled by projection (a small L-BFGS-B). Minimises. */
final class Lbfgs {
    /** A function to minimise: returns f(x) and writes its gradient into {@code grad}. */
    interface Objective {
        double value(double[] x, double[] grad);
    }

    record Result(double[] x, double value, int iterations) {}

    private Lbfgs() {}

    static Result minimise(Objective f, double[] x0, double[] lo, double[] hi, int maxIterations, int memory) {
        int n = x0.length;
        double[] x = x0.clone();
        project(x, lo, hi);
        double[] g = new double[n];
        double fx = f.value(x, g);
        if (!Double.isFinite(fx)) {
            return new Result(x, fx, 0);
        }
        double[][] s = new double[memory][];
        double[][] yv = new double[memory][];
        double[] rho = new double[memory];
        int stored = 0;
        int head = 0;
        double[] alpha = new double[memory];
        int iter = 0;
        for (; iter < maxIterations; iter++) {
            if (projectedGradientNorm(x, g, lo, hi) < 1e-5) {
                break;
            }
            // Two-loop recursion for d = -H g.
            double[] q = g.clone();
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(head - 1 - k, memory);
                alpha[i] = rho[i] * dot(s[i], q);
                axpy(-alpha[i], yv[i], q);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, memory);
                double gamma = dot(s[last], yv[last]) / dot(yv[last], yv[last]);
                scale(q, gamma);
            }
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(head - 1 - k, memory);
                double beta = rho[i] * dot(yv[i], q);
                axpy(alpha[i] - beta, s[i], q);
            }
            double[] d = q;
            scale(d, -1);
            // Variables at a bound that the step pushes outwards stay put.
            for (int i = 0; i < n; i++) {
                if ((x[i] <= lo[i] && d[i] < 0) || (x[i] >= hi[i] && d[i] > 0)) {
                    d[i] = 0;
                }
            }
            if (dot(d, g) >= 0) {
                d = g.clone();
                scale(d, -1);
                for (int i = 0; i < n; i++) {
                    if ((x[i] <= lo[i] && d[i] < 0) || (x[i] >= hi[i] && d[i] > 0)) {
                        d[i] = 0;
                    }
                }
                stored = 0;
                if (dot(d, g) >= 0) {
                    break;
                }
            }
            double step = stored == 0 ? Math.min(1.0, 1.0 / Math.max(1e-12, Math.sqrt(dot(d, d)))) : 1.0;
            double[] xNew = new double[n];
            double[] gNew = new double[n];
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 30; ls++) {
                for (int i = 0; i < n; i++) {
                    xNew[i] = x[i] + step * d[i];
                }
                project(xNew, lo, hi);
                fNew = f.value(xNew, gNew);
                double decrease = 0;
                for (int i = 0; i < n; i++) {
                    decrease += g[i] * (xNew[i] - x[i]);
                }
                if (Double.isFinite(fNew) && fNew <= fx + 1e-4 * decrease) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                break;
            }
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-12 * Math.sqrt(dot(yk, yk) * dot(sk, sk))) {
                s[head] = sk;
                yv[head] = yk;
                rho[head] = 1.0 / sy;
                head = (head + 1) % memory;
                stored = Math.min(stored + 1, memory);
            }
            double change = fx - fNew;
            x = xNew;
            g = gNew;
            fx = fNew;
            if (change < 1e-9 * (1 + Math.abs(fx))) {
                break;
            }
        }
        return new Result(x, fx, iter);
    }

    private static double projectedGradientNorm(double[] x, double[] g, double[] lo, double[] hi) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double v = Math.min(Math.max(x[i] - g[i], lo[i]), hi[i]) - x[i];
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static void project(double[] x, double[] lo, double[] hi) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.min(Math.max(x[i], lo[i]), hi[i]);
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }
}
