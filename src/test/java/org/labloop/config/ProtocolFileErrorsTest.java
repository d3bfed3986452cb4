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
}
