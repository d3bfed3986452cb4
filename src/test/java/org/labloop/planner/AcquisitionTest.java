package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.hipparchus.distribution.continuous.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.labloop.space.OutcomeConstraint;

class AcquisitionTest {
    private static final NormalDistribution N = new NormalDistribution(0, 1);

    @Test
    void logEiMatchesTheClosedFormOfExpectedImprovement() {
        double[][] cases = {{1, 2, 0.5}, {0, 1, 0}, {-1, 0.5, 1}, {3, 0.1, 2.9}, {0.2, 1, 2.5}};
        for (double[] c : cases) {
            double mu = c[0];
            double sigma = c[1];
            double best = c[2];
            double z = (mu - best) / sigma;
            double ei = (mu - best) * N.cumulativeProbability(z) + sigma * N.density(z);
            assertThat(Acquisition.logEi(mu, sigma, best)).isCloseTo(Math.log(ei), within(1e-9));
        }
    }

    @Test
    void logEiStaysFiniteAndMonotoneFarInTheTail() {
        double previous = Double.POSITIVE_INFINITY;
        for (double z : new double[] {-5, -19.9, -20.1, -40, -1e3, -1e6, -1e10}) {
            double v = Acquisition.logH(z);
            assertThat(v).as("logH(%s)", z).isFinite().isLessThan(previous);
            previous = v;
        }
        // Around the switch to the asymptotic series both forms agree.
        assertThat(Acquisition.logH(-19.9999999)).isCloseTo(Acquisition.logH(-20.0000001), within(1e-5));
        // At z = -40 the leading term is -z^2/2 - log(sqrt(2 pi)) - 2 log(40).
        assertThat(Acquisition.logH(-40))
                .isCloseTo(-800 - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(40), within(1e-2));
        assertThat(Acquisition.logEi(0, 1e-3, 100)).isFinite();
    }

    @Test
    void ucbAddsTheScaledStandardDeviation() {
        assertThat(Acquisition.ucb(1, 2, 4)).isEqualTo(5.0);
    }

    @Test
    void rationaleIsExploitWhenTheMeanCarriesTheImprovement() {
        assertThat(Acquisition.exploits(2, 0.1, 1)).isTrue();
        assertThat(Acquisition.exploits(0.9, 1, 1)).isFalse();
    }

    @Test
    void probabilityOfFeasibilityIsTheNormalCdfOfTheMarginInSds() {
        OutcomeConstraint atLeast = OutcomeConstraint.parse("purity >= 95");
        OutcomeConstraint atMost = OutcomeConstraint.parse("e_factor <= 10");
        double[][] cases = {{97, 2}, {95, 1}, {90, 4}, {80, 3}, {99.5, 0.5}};
        for (double[] c : cases) {
            double mu = c[0];
            double sd = c[1];
            // Relative tolerance 1e-12 on the probability: log space differs from the CDF only by rounding.
            assertThat(Math.exp(Acquisition.logFeasibility(atLeast, mu, sd)))
                    .as("P(purity >= 95 | N(%s, %s))", mu, sd)
                    .isCloseTo(N.cumulativeProbability((mu - 95) / sd), within(1e-12));
            double e = mu - 85; // e-factors around the bound 10
            assertThat(Math.exp(Acquisition.logFeasibility(atMost, e, sd)))
                    .as("P(e_factor <= 10 | N(%s, %s))", e, sd)
                    .isCloseTo(N.cumulativeProbability((10 - e) / sd), within(1e-12));
        }
        assertThat(Acquisition.logFeasibility(atLeast, 95, 0)).isZero();
        assertThat(Acquisition.logFeasibility(atLeast, 94.9, 0)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void logNormalCdfIsAccurateDeepInTheLowerTail() {
        for (double z : new double[] {3, 0, -1, -5, -10, -20, -29, -35}) {
            double exact = Math.log(N.cumulativeProbability(z));
            assertThat(Acquisition.logNormalCdf(z))
                    .as("log Phi(%s)", z)
                    .isCloseTo(exact, within(1e-9 * Math.abs(exact) + 1e-15));
        }
        // Both sides of the switch to the asymptotic series agree, and far beyond it the value stays finite.
        assertThat(Acquisition.logNormalCdf(-29.9999999))
                .isCloseTo(Acquisition.logNormalCdf(-30.0000001), within(1e-4));
        assertThat(Acquisition.logNormalCdf(-1e4)).isFinite().isLessThan(-4.9e7);
    }
}
