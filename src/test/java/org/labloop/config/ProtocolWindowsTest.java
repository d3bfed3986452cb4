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
        var spec = Fixture.loader()
                .load(Fixture.write(dir, CAMPAIGN, WORKCELL, text))
                .spec();
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

    @Test
    void windowTheStepsInBetweenCannotKeep_isReportedAtItsLine_withWhatItNeeds() {
        // After dispense (2 +- 0.2 min, so up to 1.2 min later than its shortest) comes react, which lasts tau, up to
        // 2 min: the analysis can be promised no sooner than 3.2 min after dispense ends.
        String text =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    within_min: 1\n    after: dispense");
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, WORKCELL, text),
                "protocol.yaml",
                12,
                5,
                "step 'analyse' is to begin within 1 min after 'dispense' ends, which the workcell cannot do for every"
                        + " experiment: 'dispense' may end up to 1.2 min later than its shortest; 'react' takes up to 2"
                        + " min",
                "raise 'within_min' to at least 3.2");

        String enough =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    within_min: 3.2\n    after: dispense");
        assertThat(Fixture.loader()
                        .load(Fixture.write(dir, CAMPAIGN, WORKCELL, enough))
                        .spec()
                        .protocol()
                        .steps()
                        .get(2)
                        .window())
                .contains(new TimeWindow("dispense", 0, 3.2));
    }

    @Test
    void exactWindowWithStepsInBetween_isReported_withAWithinWindowToUseInstead() {
        String text =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    exactly_min: 0\n    after: dispense");
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, WORKCELL, text),
                "protocol.yaml",
                12,
                5,
                "is to begin exactly 0 min after 'dispense' ends",
                "give it 'within_min: 3.2' (or more) instead of 'exactly_min'");
    }

    @Test
    void windowShorterThanTheChangeoverItsStepMayNeed_isReported() {
        String workcell =
                Fixture.replace(WORKCELL, "capabilities: [analyse]", "capabilities: [analyse]\n    changeover_min: 5");
        String text =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    setup: $conc\n    within_min: 2");
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, workcell, text),
                "protocol.yaml",
                13,
                5,
                "'analyse' itself may need a 5 min changeover on hplc before its work begins",
                "raise 'within_min' to at least 5");
    }
}
