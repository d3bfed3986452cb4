package org.labloop.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.labloop.emulator.SnarEmulator.Variant;

class SnarEmulatorTest {

    /** Six reference values of the published model: (tau, equiv, conc, T) -> (STY, E-factor), per variant. */
    static Stream<Arguments> referencePoints() {
        return Stream.of(
                Arguments.of(Variant.CORRECTED, 0.5, 1.0, 0.1, 30.0, 412.35, 235.21),
                Arguments.of(Variant.CORRECTED, 1.25, 3.0, 0.3, 75.0, 2358.86, 17.18),
                Arguments.of(Variant.CORRECTED, 0.5, 2.0, 0.5, 120.0, 8984.8, 11.38),
                Arguments.of(Variant.PUBLISHED_2020, 0.5, 1.0, 0.1, 30.0, 412.32, 236.19),
                Arguments.of(Variant.PUBLISHED_2020, 1.25, 3.0, 0.3, 75.0, 2393.75, 18.04),
                Arguments.of(Variant.PUBLISHED_2020, 0.5, 2.0, 0.5, 120.0, 9595.42, 11.75));
    }

    @ParameterizedTest(name = "{0} at ({1}, {2}, {3}, {4}) -> ({5}, {6})")
    @MethodSource("referencePoints")
    void evaluate_atReferencePoint_matchesPublishedValueWithinHalfPercent(
            Variant variant, double tau, double equiv, double conc, double t, double sty, double eFactor) {
        SnarEmulator emulator = new SnarEmulator(variant, 0.0);

        Map<String, Double> out = emulator.evaluate(inputs(tau, equiv, conc, t), new SplittableRandom(1));

        assertThat(out).containsOnlyKeys("sty", "e_factor");
        assertThat(out.get("sty")).isCloseTo(sty, Percentage.withPercentage(0.5));
        assertThat(out.get("e_factor")).isCloseTo(eFactor, Percentage.withPercentage(0.5));
    }

    @ParameterizedTest(name = "{0} at ({1}, {2}, {3}, {4})")
    @MethodSource("referencePoints")
    void objectives_staticHelper_equalsNoiselessEvaluate(
            Variant variant, double tau, double equiv, double conc, double t, double sty, double eFactor) {
        double[] fast = SnarEmulator.objectives(variant, tau, equiv, conc, t);
        Map<String, Double> out = new SnarEmulator(variant, 0.0).evaluate(inputs(tau, equiv, conc, t), null);

        assertThat(fast).containsExactly(out.get("sty"), out.get("e_factor"));
    }

    @Test
    void concentrations_conserveDfnbAndPyrrolidineAtoms() {
        double conc = 0.3;
        double equiv = 3.0;
        double[] c = SnarEmulator.concentrations(Variant.CORRECTED, 1.25, equiv, conc, 75.0);

        // Every product holds one DFNB unit; pyrrolidine units are 1 per mono-adduct and 2 per bis-adduct.
        assertThat(c[0] + c[2] + c[3] + c[4]).isCloseTo(conc, within(1e-9));
        assertThat(c[1] + c[2] + c[3] + 2 * c[4]).isCloseTo(equiv * conc, within(1e-9));
    }

    @Test
    void variants_differOnlyWhereTheParaRateMatters() {
        double[] corrected = SnarEmulator.objectives(Variant.CORRECTED, 1.25, 3.0, 0.3, 75.0);
        double[] published = SnarEmulator.objectives(Variant.PUBLISHED_2020, 1.25, 3.0, 0.3, 75.0);

        assertThat(published[0]).isGreaterThan(corrected[0]);
        assertThat(published[1]).isGreaterThan(corrected[1]);
    }

    @Test
    void evaluate_withNoise_isDeterministicForASeed() {
        SnarEmulator emulator = new SnarEmulator(Variant.CORRECTED, 5.0);
        Map<String, Object> x = inputs(1.25, 3.0, 0.3, 75.0);

        Map<String, Double> first = emulator.evaluate(x, new SplittableRandom(42));
        Map<String, Double> second = emulator.evaluate(x, new SplittableRandom(42));

        assertThat(first).isEqualTo(second);
    }

    @Test
    void evaluate_withNoise_differsBetweenSeedsAndStaysNearTheNoiselessValue() {
        SnarEmulator emulator = new SnarEmulator(Variant.CORRECTED, 5.0);
        Map<String, Object> x = inputs(1.25, 3.0, 0.3, 75.0);
        double[] clean = SnarEmulator.objectives(Variant.CORRECTED, 1.25, 3.0, 0.3, 75.0);

        Map<String, Double> a = emulator.evaluate(x, new SplittableRandom(1));
        Map<String, Double> b = emulator.evaluate(x, new SplittableRandom(2));

        assertThat(a.get("sty")).isNotEqualTo(b.get("sty"));
        assertThat(a.get("e_factor")).isNotEqualTo(b.get("e_factor"));
        // 5% noise on C2: 30% is more than five standard deviations.
        assertThat(a.get("sty")).isCloseTo(clean[0], Percentage.withPercentage(30));
        assertThat(b.get("sty")).isCloseTo(clean[0], Percentage.withPercentage(30));
        assertThat(a.get("sty")).isNotEqualTo(clean[0]);
    }

    @Test
    void evaluate_withoutNoise_doesNotDrawFromTheGenerator() {
        SplittableRandom used = new SplittableRandom(7);
        new SnarEmulator().evaluate(inputs(1.0, 2.0, 0.2, 60.0), used);

        assertThat(used.nextLong()).isEqualTo(new SplittableRandom(7).nextLong());
    }

    @Test
    void evaluate_withHugeNoise_clipsConcentrationsAtZeroAndKeepsObjectivesInRange() {
        SnarEmulator emulator = new SnarEmulator(Variant.CORRECTED, 300.0);
        SplittableRandom random = new SplittableRandom(3);

        for (int i = 0; i < 200; i++) {
            Map<String, Double> out = emulator.evaluate(inputs(1.0, 2.0, 0.2, 60.0), random);
            assertThat(out.get("sty")).isGreaterThanOrEqualTo(1e-6);
            assertThat(out.get("e_factor")).isBetween(0.0, 1000.0);
        }
    }

    @Test
    void eFactor_whenNoOrthoProduct_isCappedAtOneThousand() {
        assertThat(SnarEmulator.eFactor(new double[] {0.1, 0.1, 0.0, 0.0, 0.0})).isEqualTo(1000.0);
        assertThat(SnarEmulator.eFactor(new double[] {0.1, 0.1, 1e-7, 0.0, 0.0}))
                .isEqualTo(1000.0);
        assertThat(SnarEmulator.sty(new double[] {0.1, 0.1, 0.0, 0.0, 0.0}, 1.0))
                .isEqualTo(1e-6);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "tau, 0.49, 0.5, 2.0",
        "tau, 2.5, 0.5, 2.0",
        "equiv, 0.5, 1.0, 5.0",
        "equiv, 6, 1.0, 5.0",
        "conc, 0.05, 0.1, 0.5",
        "conc, 0.6, 0.1, 0.5",
        "temperature, 20, 30.0, 120.0",
        "temperature, 150, 30.0, 120.0"
    })
    void evaluate_outsideDomain_rejectedWithInputValueAndRange(String name, double value, String lo, String hi) {
        Map<String, Object> x = inputs(1.0, 2.0, 0.2, 60.0);
        x.put(name, value);

        assertThatThrownBy(() -> new SnarEmulator().evaluate(x, new SplittableRandom(1)))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining(String.valueOf(value))
                .hasMessageContaining("[" + lo + ", " + hi + "]");
    }

    @Test
    void evaluate_missingInput_rejectedNamingIt() {
        Map<String, Object> x = inputs(1.0, 2.0, 0.2, 60.0);
        x.remove("conc");

        assertThatThrownBy(() -> new SnarEmulator().evaluate(x, new SplittableRandom(1)))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("missing input 'conc'");
    }

    @Test
    void evaluate_nonNumericOrNanInput_rejectedNamingIt() {
        Map<String, Object> text = inputs(1.0, 2.0, 0.2, 60.0);
        text.put("equiv", "two");
        Map<String, Object> nan = inputs(1.0, 2.0, 0.2, 60.0);
        nan.put("temperature", Double.NaN);

        assertThatThrownBy(() -> new SnarEmulator().evaluate(text, new SplittableRandom(1)))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("'equiv' must be a number")
                .hasMessageContaining("two");
        assertThatThrownBy(() -> new SnarEmulator().evaluate(nan, new SplittableRandom(1)))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("'temperature' = NaN");
    }

    @Test
    void evaluate_atDomainEdgesAndWithIntegerInputs_answers() {
        Map<String, Object> lowCorner = new HashMap<>(Map.of("tau", 0.5, "equiv", 1, "conc", 0.1, "temperature", 30));
        Map<String, Object> highCorner =
                new HashMap<>(Map.of("tau", 2.0, "equiv", 5.0, "conc", 0.5, "temperature", 120.0));

        assertThat(new SnarEmulator().evaluate(lowCorner, null).get("sty")).isPositive();
        assertThat(new SnarEmulator().evaluate(highCorner, null).get("sty")).isPositive();
    }

    @Test
    void variantOf_unknownName_listsKnownVariants() {
        assertThat(Variant.of("published-2020")).isEqualTo(Variant.PUBLISHED_2020);
        assertThatThrownBy(() -> Variant.of("2019"))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("corrected, published-2020");
    }

    @Test
    void version_namesTheVariant() {
        assertThat(new SnarEmulator(Variant.PUBLISHED_2020, 0).version()).contains("published-2020");
        assertThat(new SnarEmulator().version()).contains("corrected");
    }

    @Test
    void constructor_negativeNoise_rejected() {
        assertThatThrownBy(() -> new SnarEmulator(Variant.CORRECTED, -1))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("noise_pct");
    }

    private static Map<String, Object> inputs(double tau, double equiv, double conc, double t) {
        Map<String, Object> x = new HashMap<>();
        x.put("tau", tau);
        x.put("equiv", equiv);
        x.put("conc", conc);
        x.put("temperature", t);
        return x;
    }
}
