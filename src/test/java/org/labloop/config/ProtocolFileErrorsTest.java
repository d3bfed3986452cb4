package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;
import static org.labloop.config.Fixture.assertSingle;
import static org.labloop.config.Fixture.col;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.labloop.core.Problem;

/** One test per kind of mistake in a protocol file, including those only seen against the workcell and campaign. */
class ProtocolFileErrorsTest {
    private static final String FILE = "protocol.yaml";

    @TempDir
    Path dir;

    private List<Problem> load(String protocol) {
        return Fixture.problems(dir, CAMPAIGN, WORKCELL, protocol);
    }

    @Test
    void load_stepCapabilityNoDeviceHas_reportsProtocolLineAndColumn() {
        String text = Fixture.replace(PROTOCOL, "capability: react", "capability: heat");

        assertSingle(
                load(text),
                FILE,
                7,
                17,
                "no device of workcell 'cell' has capability 'heat'",
                "the workcell's capabilities: analyse, dispense, react");
    }

    @Test
    void load_durationWithAUnit_isToldThatDurationsAreMinutes() {
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: 5min");

        assertSingle(
                load(text),
                FILE,
                8,
                15,
                "'duration' of step 'react' must be a number of minutes or a $parameter, got text '5min'",
                "write the number of minutes alone, without a unit");
    }

    @Test
    void load_stepCapabilityMisspelt_suggestsTheClosest() {
        String text = Fixture.replace(PROTOCOL, "capability: analyse", "capability: analyze");

        assertSingle(load(text), FILE, 10, 17, "has capability 'analyze'", "did you mean 'analyse'?");
    }

    @Test
    void load_referenceToParameterCampaignLacks_reportsAtTheReference() {
        String text = Fixture.replace(PROTOCOL, "$conc", "$concentration");

        assertSingle(
                load(text),
                FILE,
                5,
                col(text, 5, "$concentration"),
                "argument 'conc' of step 'dispense' refers to $concentration, which is not a parameter of the campaign",
                "did you mean 'conc'? campaign parameters: tau, conc, solvent, base");
    }

    @Test
    void load_bracedReferenceToParameterCampaignLacks_reportsAtTheReference() {
        String text = Fixture.replace(PROTOCOL, "${solvent}", "${medium}");

        assertSingle(load(text), FILE, 5, col(text, 5, "\"${medium}\""), "refers to $medium", "campaign parameters:");
    }

    @Test
    void load_durationReferenceToParameterCampaignLacks_reportsAtTheReference() {
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: $residence");

        assertSingle(load(text), FILE, 8, 15, "'duration' of step 'react' refers to $residence", "tau, conc");
    }

    @Test
    void load_durationReferenceToCategoricalParameter_reportsNotANumber() {
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: $solvent");

        assertSingle(load(text), FILE, 8, 15, "$solvent is a categorical parameter", "continuous or discrete");
    }

    @Test
    void load_malformedReference_explainsTheSyntax() {
        String text = Fixture.replace(PROTOCOL, "$base", "$1base");

        assertSingle(
                load(text), FILE, 5, col(text, 5, "$1base"), "'$1base' in argument 'base'", "write $name or ${name}");
    }

    @Test
    void load_duplicateStepNames_reportsTheSecond() {
        String text = Fixture.replace(PROTOCOL, "name: analyse", "name: react");

        assertSingle(load(text), FILE, 9, 11, "two steps are named 'react' (the first on line 6)", "its own name");
    }

    @Test
    void load_noStepMeasures_reportsAtStepsKey() {
        String text = Fixture.replace(PROTOCOL, "measures: true", "measures: false");

        assertSingle(load(text), FILE, 2, 1, "no step measures anything", "add 'measures: true'");
    }

    @Test
    void load_measuresNotABoolean_reportsWrongType() {
        String text = Fixture.replace(PROTOCOL, "measures: true", "measures: always");

        assertSingle(load(text), FILE, 11, 15, "'measures' of step 'analyse' must be true or false", "");
    }

    @Test
    void load_stepWithoutCapability_reportsAtTheStep() {
        String text = Fixture.replace(PROTOCOL, "    capability: react\n", "");

        assertSingle(load(text), FILE, 6, 5, "step 'react' has no 'capability'", "add 'capability: ");
    }

    @Test
    void load_argumentIsAList_reportsSingleValueNeeded() {
        String text = Fixture.replace(PROTOCOL, "volume: 2", "volume: [1, 2]");

        assertSingle(load(text), FILE, 5, col(text, 5, "[1, 2]"), "argument 'volume' of step 'dispense' must be", "");
    }

    @Test
    void load_stepsIsAMap_reportsWrongType() {
        List<Problem> problems = load("protocol: p\nsteps: {a: 1}\n");

        assertSingle(problems, FILE, 2, 8, "'steps' must be a list, got a map", "not 'key: value' entries");
    }

    @Test
    void load_workcellBroken_stillChecksProtocolButNotItsCapabilities() {
        List<Problem> problems = Fixture.problems(
                dir,
                CAMPAIGN,
                Fixture.replace(WORKCELL, "capabilities: [react]", "capabilities: 5"),
                Fixture.replace(PROTOCOL, "$conc", "$nope"));

        assertThat(problems).extracting(Problem::message).noneMatch(m -> m.contains("has capability"));
        assertThat(problems).extracting(p -> p.source().endsWith(FILE)).containsExactly(false, true);
    }

    // ---------------------------------------------------------------- one measuring step

    @Test
    void twoMeasuringSteps_areRefused_namingBoth() {
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    measures: true");

        assertSingle(
                load(text),
                FILE,
                12,
                5,
                "step 'react' (line 9) and step 'analyse' both have 'measures: true', but an experiment's measurements"
                        + " come from one step: those of step 'react' would be recorded and the readings of step"
                        + " 'analyse' lost",
                "keep 'measures: true' on the one step whose outputs are the measurements (usually the analysis) and"
                        + " remove it from the other");
    }

    @Test
    void threeMeasuringSteps_eachLaterOneIsRefused_namingTheFirst() {
        String text = Fixture.replace(PROTOCOL, "capability: dispense", "capability: dispense\n    measures: true");
        text = Fixture.replace(text, "duration: $tau", "duration: $tau\n    measures: true");

        List<Problem> problems = load(text);

        assertThat(problems).hasSize(2);
        Fixture.assertProblem(problems.get(0), FILE, 10, 5, "step 'dispense' (line 5) and step 'react'", "");
        Fixture.assertProblem(problems.get(1), FILE, 13, 5, "step 'dispense' (line 5) and step 'analyse'", "");
    }

    @Test
    void measuresNotABoolean_isNotAlsoCountedAsASecondMeasuringStep() {
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    measures: sometimes");

        assertSingle(load(text), FILE, 9, 15, "'measures' of step 'react' must be true or false", "");
    }

    // ---------------------------------------------------------------- timeouts

    @Test
    void timeoutShorterThanTheDevicesCanTake_isRefused_withTheLongestAsTheHint() {
        String workcell = Fixture.replace(WORKCELL, "dispense: {mean: 2.0, sd: 0.2}", "dispense: {mean: 4, sd: 0.2}");
        String text = Fixture.replace(PROTOCOL, "capability: dispense", "capability: dispense\n    timeout: 2");

        assertSingle(
                Fixture.problems(dir, CAMPAIGN, workcell, text),
                FILE,
                5,
                col(text, 5, "2"),
                "'timeout' of step 'dispense' is 2 min, but the step takes at least 3.4 min on any device that can"
                        + " dispense (mean - 3 sd of its timing, plus its setup_min): every attempt would time out",
                "raise 'timeout' to at least 4.6, the longest the step is planned to take, or remove it");
    }

    @Test
    void shortTimeoutOnADeviceWithNoDeclaredTiming_isAllowed() {
        // No 'durations' entry for analyse: the one-minute stand-in the scheduler plans with is no evidence.
        String workcell = Fixture.replace(
                WORKCELL,
                "driver: {durations: {analyse: 6}, options: {column: C18, flow: [1, 2]}}",
                "driver: {options: {column: C18, flow: [1, 2]}}");
        String text = Fixture.replace(PROTOCOL, "capability: analyse", "capability: analyse\n    timeout: 0.5");

        var spec = Fixture.spec(dir, CAMPAIGN, workcell, text);

        assertThat(spec.protocol().steps().get(2).timeout()).contains(java.time.Duration.ofSeconds(30));
    }

    @Test
    void timeoutEqualToTheShortestDuration_isAllowed() {
        String workcell = Fixture.replace(WORKCELL, "dispense: {mean: 2.0, sd: 0.2}", "dispense: {mean: 4, sd: 0.2}");
        String text = Fixture.replace(PROTOCOL, "capability: dispense", "capability: dispense\n    timeout: 3.4");

        var spec = Fixture.spec(dir, CAMPAIGN, workcell, text);

        assertThat(spec.protocol().steps().get(0).timeout()).contains(java.time.Duration.ofSeconds(204));
    }

    @Test
    void timeoutShorterThanTheStepsOwnDurationAndSetup_isRefused() {
        String workcell = Fixture.replace(
                WORKCELL, "    capacity: 8\n", "    capacity: 8\n    driver: {options: {setup_min: 1}}\n");
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: 10\n    timeout: 10.5");

        assertSingle(
                Fixture.problems(dir, CAMPAIGN, workcell, text),
                FILE,
                9,
                col(text, 9, "10.5"),
                "'timeout' of step 'react' is 10.5 min, but the step takes at least 11 min (its duration, plus any"
                        + " setup_min of the device)",
                "raise 'timeout' to at least 11");
    }

    @Test
    void timeoutBelowTheLowestValueOfTheDurationParameter_isRefused() {
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    timeout: 0.4");

        assertSingle(
                load(text),
                FILE,
                9,
                col(text, 9, "0.4"),
                "'timeout' of step 'react' is 0.4 min, but the step takes at least 0.5 min (its duration is $tau, at"
                        + " least 0.5 min, plus any setup_min of the device)",
                "raise 'timeout' to at least 2, the longest");
    }

    @Test
    void timeoutWithinTheRangeOfTheDurationParameter_isAllowed() {
        // Only experiments with a long tau would time out: that may be what the user wants.
        String text = Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    timeout: 1");

        var spec = Fixture.spec(dir, CAMPAIGN, WORKCELL, text);

        assertThat(spec.protocol().steps().get(1).timeout()).contains(java.time.Duration.ofMinutes(1));
    }

    // ---------------------------------------------------------------- then: other_device

    @Test
    void otherDeviceWhereOnlyOneDeviceHasTheCapability_isRefused_namingTheDevice() {
        String text =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    on_failure: {then: other_device}");

        assertSingle(
                load(text),
                FILE,
                12,
                col(text, 12, "other_device"),
                "step 'analyse' moves to another device when it fails (then: other_device), but 'hplc' is the only"
                        + " device of workcell 'cell' that can analyse",
                "add a second device with capability 'analyse' to the workcell, or use then: fail or then: pause");
    }

    @Test
    void otherDeviceWithASecondCapableDevice_isAllowed() {
        String workcell = WORKCELL + "  hplc2:\n    kind: analyzer\n    capabilities: [analyse]\n";
        String text =
                Fixture.replace(PROTOCOL, "measures: true", "measures: true\n    on_failure: {then: other_device}");

        var spec = Fixture.spec(dir, CAMPAIGN, workcell, text);

        assertThat(spec.protocol().steps().get(2).onFailure().then())
                .isEqualTo(org.labloop.protocol.FailurePolicy.Then.OTHER_DEVICE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h", "s", "hours"})
    void durationFromAParameterWhoseUnitIsNotMinutes_isRefused(String unit) {
        String campaign = Fixture.replace(
                CAMPAIGN,
                "tau: {type: continuous, min: 0.5, max: 2.0, unit: min}",
                "tau: {type: continuous, min: 0.5, max: 2.0, unit: " + unit + "}");

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).source()).endsWith("protocol.yaml");
        assertThat(problems.get(0).line()).isEqualTo(8);
        assertThat(problems.get(0).message())
                .isEqualTo("'duration' of step 'react' is $tau, whose unit is '" + unit
                        + "', but step durations are in minutes");
        assertThat(problems.get(0).hint()).isEqualTo("give parameter 'tau' unit: min and its range in minutes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"min", "minutes", "Min"})
    void durationFromAParameterInMinutes_isAccepted(String unit) {
        String campaign = Fixture.replace(
                CAMPAIGN,
                "tau: {type: continuous, min: 0.5, max: 2.0, unit: min}",
                "tau: {type: continuous, min: 0.5, max: 2.0, unit: " + unit + "}");

        assertThat(Fixture.spec(dir, campaign, WORKCELL, PROTOCOL)
                        .space()
                        .parameter("tau")
                        .orElseThrow()
                        .unit())
                .isEqualTo(unit);
    }

    @Test
    void filesThatCannotWork_areReportedTogetherWithEveryOtherProblem() {
        String campaign = Fixture.replace(CAMPAIGN, "seed: 7", "seed: x");
        String text =
                Fixture.replace(PROTOCOL, "duration: $tau", "duration: $tau\n    measures: true\n    timeout: 0.1");
        text = Fixture.replace(
                text, "capability: analyse", "capability: analyse\n    on_failure: {then: other_device}");

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, text);

        assertThat(problems)
                .extracting(p -> p.source().substring(p.source().lastIndexOf('/') + 1) + ":" + p.line())
                .containsExactly("campaign.yaml:16", "protocol.yaml:10", "protocol.yaml:13", "protocol.yaml:14");
        assertThat(problems)
                .extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).startsWith("'seed' must be a whole number"))
                .anySatisfy(m -> assertThat(m).startsWith("'timeout' of step 'react' is 0.1 min"))
                .anySatisfy(m -> assertThat(m).contains("(then: other_device)"))
                .anySatisfy(m -> assertThat(m).contains("both have 'measures: true'"));
    }
}
