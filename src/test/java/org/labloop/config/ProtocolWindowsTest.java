package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;
import static org.labloop.config.Fixture.assertSingle;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;

/** Time windows between protocol steps: within_min, exactly_min and after. */
class ProtocolWindowsTest {
    @TempDir
    Path dir;

    @Test
    void withinAndExactly_areReadRelativeToThePreviousStepOrTheNamedOne() {
        String text =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    within_min: 10\n    after: react");
        text = Fixture.replace(text, "duration: $tau", "duration: $tau\n    exactly_min: 0.5");
        var spec = Fixture.spec(dir, CAMPAIGN, WORKCELL, text);
        StepSpec react = spec.protocol().steps().get(1);
        StepSpec analyse = spec.protocol().steps().get(2);
        assertThat(react.window()).contains(new TimeWindow(null, 0.5, 0.5));
        assertThat(analyse.window()).contains(new TimeWindow("react", 0, 10));
        assertThat(spec.protocol().steps().get(0).window()).isEqualTo(Optional.empty());
    }

    @Test
    void windowOnTheFirstStep_isReported() {
        String text = Fixture.replace(PROTOCOL, "capability: dispense", "capability: dispense\n    within_min: 5");
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, WORKCELL, text),
                "protocol.yaml",
                5,
                5,
                "the first step has no step before it",
                "remove 'within_min'");
    }

    @Test
    void afterALaterStep_orBothKinds_areReported() {
        String text =
                Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    within_min: 5\n    after: analyse");
        assertThat(Fixture.problems(dir, CAMPAIGN, WORKCELL, text))
                .singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("names 'analyse', which is not an earlier step"));
        String both =
                Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    within_min: 5\n    exactly_min: 1");
        assertThat(Fixture.problems(dir, CAMPAIGN, WORKCELL, both))
                .singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("has both 'within_min' and 'exactly_min'"));
    }
}
