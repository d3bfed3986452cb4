package org.labloop.planner;

import org.apache.commons.numbers.gamma.Erfc;
import org.labloop.space.OutcomeConstraint;

/** Acquisition functions for maximisation, on a Gaussian posterior with mean {@code mu} and sd {@code sigma}. */
final class Acquisition {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SQRT2 = Math.sqrt(2);

    private Acquisition() {}

    /**
     * Log expected improvement over {@code best}: log E[max(f - best, 0)], computed stably far into the tail (Ament
     * et al., "Unexpected improvements to expected improvement", 2023).
     */
    static double logEi(double mu, double sigma, double best) {
        if (!(sigma > 0)) {
            double imp = mu - best;
            return imp > 0 ? Math.log(imp) : Double.NEGATIVE_INFINITY;
        }
        return logH((mu - best) / sigma) + Math.log(sigma);
    }

    /** log(phi(z) + z Phi(z)), finite for every finite z. */
    static double logH(double z) {
        if (z > -1) {
            double h = Math.exp(-0.5 * z * z - LOG_SQRT_2PI) + z * 0.5 * Erfc.value(-z / SQRT2);
            return Math.log(h);
        }
        double t = -z;
        double logPhi = -0.5 * z * z - LOG_SQRT_2PI;
        if (t < 20) {
            // h = phi(z) (1 - t R(t)) with the Mills ratio R(t) = Phi(-t) / phi(t).
            double mills = 0.5 * Erfc.value(t / SQRT2) / Math.exp(logPhi);
            return logPhi + Math.log(1 - t * mills);
        }
        // Asymptotic series: 1 - t R(t) = t^-2 (1 - 3 t^-2 + 15 t^-4 - 105 t^-6 + 945 t^-8 - ...).
        double u = 1 / (t * t);
        double series = 1 - 3 * u * (1 - 5 * u * (1 - 7 * u * (1 - 9 * u)));
        return logPhi + Math.log(u) + Math.log(series);
    }

    /** log Phi(z), the log of the standard normal CDF, accurate far into the lower tail. */
    static double logNormalCdf(double z) {
        if (z > -30) {
            return Math.log(0.5 * Erfc.value(-z / SQRT2));
        }
        // Phi(z) = phi(z) / t (1 - t^-2 + 3 t^-4 - 15 t^-6 + ...) with t = -z; the terms left out are below 1e-10.
        double u = 1 / (z * z);
        double series = 1 - u * (1 - 3 * u * (1 - 5 * u));
        return -0.5 * z * z - LOG_SQRT_2PI - Math.log(-z) + Math.log(series);
    }

    /**
     * Log probability that an outcome with a Gaussian posterior (mean {@code mu}, sd {@code sigma}) satisfies
     * {@code constraint}; with no uncertainty, 0 or minus infinity.
     */
    static double logFeasibility(OutcomeConstraint constraint, double mu, double sigma) {
        double margin = constraint.margin(mu);
        if (!(sigma > 0)) {
            return margin >= 0 ? 0 : Double.NEGATIVE_INFINITY;
        }
        return logNormalCdf(margin / sigma);
    }

    /** Upper confidence bound mu + sqrt(beta) sigma. */
    static double ucb(double mu, double sigma, double beta) {
        return mu + Math.sqrt(beta) * sigma;
    }

    /**
     * True when the predicted mean, rather than the uncertainty, carries the expected improvement: the exploitation
     * term (mu - best) Phi(z) of EI is at least its exploration term sigma phi(z).
     */
    static boolean exploits(double mu, double sigma, double best) {
        if (!(sigma > 0)) {
            return true;
        }
        double z = (mu - best) / sigma;
        double phi = Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
        double cdf = 0.5 * Erfc.value(-z / SQRT2);
        return z * cdf >= phi;
    }
}
