package org.labloop.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.labloop.space.OutcomeConstraint.Comparison;

class OutcomeConstraintTest {

    @Test
    void parsesBothComparisonsWithOrWithoutSpaces() {
        assertThat(OutcomeConstraint.parse("purity >= 95"))
                .isEqualTo(new OutcomeConstraint("purity", Comparison.AT_LEAST, 95));
        assertThat(OutcomeConstraint.parse("e_factor<=10"))
                .isEqualTo(new OutcomeConstraint("e_factor", Comparison.AT_MOST, 10));
        assertThat(OutcomeConstraint.parse("  cost =< -1.5e-2 "))
                .isEqualTo(new OutcomeConstraint("cost", Comparison.AT_MOST, -0.015));
        assertThat(OutcomeConstraint.parse("_y2 => .5"))
                .isEqualTo(new OutcomeConstraint("_y2", Comparison.AT_LEAST, 0.5));
    }

    @Test
    void printsAsItIsWrittenSoTheTextRoundTrips() {
        for (String text : new String[] {"purity >= 95", "e_factor <= 10.5", "cost <= -0.015"}) {
            assertThat(OutcomeConstraint.parse(text)).hasToString(text);
            assertThat(OutcomeConstraint.parse(OutcomeConstraint.parse(text).toString()))
                    .isEqualTo(OutcomeConstraint.parse(text));
        }
    }

    @Test
    void boundsAreInclusive() {
        OutcomeConstraint atLeast = OutcomeConstraint.parse("purity >= 95");
        assertThat(atLeast.satisfiedBy(95)).isTrue();
        assertThat(atLeast.satisfiedBy(94.999)).isFalse();
        assertThat(atLeast.margin(97)).isEqualTo(2.0);
        OutcomeConstraint atMost = OutcomeConstraint.parse("e_factor <= 10");
        assertThat(atMost.satisfiedBy(10)).isTrue();
        assertThat(atMost.satisfiedBy(10.001)).isFalse();
        assertThat(atMost.margin(13)).isEqualTo(-3.0);
    }

    @Test
    void badTextGetsAMessageThatSaysWhatIsWrongAndHowToWriteIt() {
        expectProblem("", "empty", "OUTCOME >= NUMBER");
        expectProblem("   ", "empty", "OUTCOME >= NUMBER");
        expectProblem("purity 95", "has no comparison", "e.g. 'purity >= 95'");
        expectProblem("purity > 95", "uses '>'", "purity >= 95");
        expectProblem("purity < 95", "uses '<'", "purity <= 95");
        expectProblem("purity = 95", "only >= and <= are supported", "");
        expectProblem(">= 95", "names no outcome", "OUTCOME >= NUMBER");
        expectProblem("pu rity >= 95", "'pu rity'", "letters, digits and _");
        expectProblem("9purity >= 95", "'9purity'", "start with a letter");
        expectProblem("purity >=", "has no bound", "OUTCOME >= NUMBER");
        expectProblem("purity >= high", "'high', which is not a finite number", "");
        expectProblem("purity >= NaN", "not a finite number", "");
        expectProblem("purity >= 1e999", "not a finite number", "");
        expectProblem("purity >= 95 <= 99", "'95 <= 99', which is not a finite number", "");
        expectProblem("purity >= 95%", "'95%'", "");
    }

    private static void expectProblem(String text, String what, String how) {
        assertThatThrownBy(() -> OutcomeConstraint.parse(text))
                .as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(what)
                .hasMessageContaining(how);
    }

    @Test
    void theConstructorChecksTheNameAndTheBound() {
        assertThatThrownBy(() -> new OutcomeConstraint("bad name", Comparison.AT_LEAST, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad name");
        assertThatThrownBy(() -> new OutcomeConstraint("purity", Comparison.AT_LEAST, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> new OutcomeConstraint("purity", null, 1)).isInstanceOf(NullPointerException.class);
    }
}
