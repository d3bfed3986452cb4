package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;
import static org.labloop.config.Fixture.assertProblem;
import static org.labloop.config.Fixture.assertSingle;
import static org.labloop.config.Fixture.col;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Problem;

/** One test per kind of mistake in a campaign file: each is reported at its line and column, with a hint. */
class CampaignFileErrorsTest {
    private static final String FILE = "campaign.yaml";

    @TempDir
    Path dir;

    private List<Problem> load(String campaign) {
        return Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);
    }

    private List<Problem> loadReplacing(String original, String replacement) {
        return load(Fixture.replace(CAMPAIGN, original, replacement));
    }

    @Test
    void load_misspeltKey_suggestsTheClosestKey() {
        List<Problem> problems = loadReplacing("batch_size: 4", "batchsize: 4");

        assertSingle(
                problems, FILE, 14, 1, "unknown key 'batchsize' in the campaign file", "did you mean 'batch_size'?");
    }

    @Test
    void load_approval_readsTheSignaturesNeeded_andDefaultsToNone() {
        assertThat(Fixture.spec(dir, CAMPAIGN, WORKCELL, PROTOCOL).signaturesNeeded())
                .isZero();
        String signed = Fixture.replace(CAMPAIGN, "seed: 7\n", "seed: 7\napproval: {signatures: 2}\n");
        assertThat(Fixture.spec(dir, signed, WORKCELL, PROTOCOL).signaturesNeeded())
                .isEqualTo(2);
    }

    @Test
    void load_approvalMistakes_areEachReportedAtTheValueWithWhatToWrite() {
        String tooMany = Fixture.replace(CAMPAIGN, "seed: 7\n", "seed: 7\napproval: {signatures: 11}\n");
        assertSingle(
                load(tooMany),
                FILE,
                17,
                col(tooMany, 17, "11"),
                "'signatures' of 'approval' (people who sign the campaign before it runs) must be between 0 and 10, got 11",
                "pick a value in range");

        String notAMap = Fixture.replace(CAMPAIGN, "seed: 7\n", "seed: 7\napproval: 2\n");
        assertSingle(load(notAMap), FILE, 17, col(notAMap, 17, "2"), "approval: {signatures: 1}", "{key: value");

        String typo = Fixture.replace(CAMPAIGN, "seed: 7\n", "seed: 7\napproval: {signature: 1}\n");
        List<Problem> problems = load(typo);
        assertThat(problems)
                .anySatisfy(p -> assertProblem(
                        p,
                        FILE,
                        17,
                        col(typo, 17, "signature"),
                        "unknown key 'signature' in 'approval'",
                        "'signatures'"));
        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("'approval' has no 'signatures'"));
    }

    @Test
    void load_namesWithLineBreaksOrDirectionMarks_areRefusedAtTheirPlace() {
        String text = Fixture.replace(
                Fixture.replace(CAMPAIGN, "campaign: test", "campaign: \"te\\u202Est\""),
                "choices: [EtOH, MeCN]",
                "choices: [EtOH, \"Me\\nCN\"]");

        List<Problem> problems = load(text);

        assertThat(problems).hasSize(2);
        assertProblem(
                problems.get(0),
                FILE,
                1,
                11,
                "'campaign' (the campaign's name) holds a line break, a control or a text-direction character",
                "write it on one line of visible characters");
        assertProblem(
                problems.get(1),
                FILE,
                8,
                col(text, 8, "\"Me"),
                "a choice of parameter 'solvent' (categorical) holds a line break",
                "one line");
    }

    @Test
    void load_targetWorseThanTheThreshold_isReportedAtTheTarget() {
        List<Problem> problems = loadReplacing(
                "e_factor: {direction: minimize, target: 5, threshold: 20}",
                "e_factor: {direction: minimize, target: 50, threshold: 10}");

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).source()).endsWith(FILE);
        assertThat(problems.get(0).message())
                .contains("the target of objective 'e_factor' (50) is worse than its threshold (10)");
        assertThat(problems.get(0).hint()).contains("<= 10");
    }

    @Test
    void load_parameterNamedLikeAnObjective_isReportedAtTheParameter() {
        List<Problem> problems = loadReplacing(
                "  tau: {type: continuous", "  e_factor: {type: continuous, min: 1, max: 2}\n  tau: {type: continuous");

        assertSingle(
                problems,
                FILE,
                6,
                3,
                "parameter 'e_factor' has the name of the campaign's objective 'e_factor'",
                "rename the parameter");
    }

    @Test
    void load_parameterNamedLikeAConstrainedOutcome_isReportedAtTheParameter() {
        String text = Fixture.replace(
                Fixture.replace(CAMPAIGN, "budget: 40\n", "constraints: [conversion >= 50]\nbudget: 40\n"),
                "  tau: {type: continuous",
                "  conversion: {type: continuous, min: 1, max: 2}\n  tau: {type: continuous");

        assertThat(load(text))
                .anySatisfy(p -> assertProblem(
                        p,
                        FILE,
                        6,
                        3,
                        "parameter 'conversion' has the name of the campaign's constrained outcome 'conversion'",
                        "a name is either a condition the planner sets or an outcome the lab measures"));
    }

    @Test
    void load_badConstraint_isReportedAtItsLineWithHowToWriteIt() {
        String text = Fixture.replace(CAMPAIGN, "budget: 40\n", "constraints:\n  - e_factor > 20\nbudget: 40\n");

        assertSingle(
                load(text),
                FILE,
                14,
                col(text, 14, "e_factor"),
                "constraint 'e_factor > 20' uses '>'",
                "only >= and <= are supported (bounds are inclusive), e.g. 'e_factor >= 20'");
    }

    @Test
    void load_severalBadConstraints_areAllReportedAtOnce() {
        String text = Fixture.replace(
                CAMPAIGN,
                "budget: 40\n",
                "constraints:\n  - sty >= 1000\n  - e_factor <= low\n  - purity 95\n  - sty >= 1000\nbudget: 40\n");

        List<Problem> problems = load(text);

        assertThat(problems).hasSize(3);
        assertProblem(
                problems.get(0),
                FILE,
                15,
                col(text, 15, "e_factor"),
                "bound 'low', which is not a finite number",
                "e.g. 'purity >= 95'");
        assertProblem(problems.get(1), FILE, 16, col(text, 16, "purity"), "has no comparison", "OUTCOME >= NUMBER");
        assertProblem(
                problems.get(2),
                FILE,
                17,
                col(text, 17, "sty"),
                "constraint 'sty >= 1000' is listed twice",
                "first on line 14");
    }

    @Test
    void load_constraintsNotAList_saysToWriteAList() {
        String text = Fixture.replace(CAMPAIGN, "budget: 40\n", "constraints: sty >= 1000\nbudget: 40\n");

        assertSingle(load(text), FILE, 13, col(text, 13, "sty"), "'constraints' must be a list", "");
    }

    @Test
    void load_unknownKeyFarFromAllowedOnes_listsTheAllowedKeys() {
        List<Problem> problems = load(CAMPAIGN + "colour: red\n");

        assertSingle(problems, FILE, 17, 1, "unknown key 'colour'", "allowed keys here: campaign, description,");
    }

    @Test
    void load_unknownKeyInParameter_listsTheKeysOfThatParameterType() {
        String text = Fixture.replace(CAMPAIGN, "unit: min}", "units: min}");

        assertSingle(load(text), FILE, 6, col(text, 6, "units"), "unknown key 'units'", "did you mean 'unit'?");
    }

    @Test
    void load_textWhereNumberExpected_reportsWrongTypeAtTheValue() {
        String text = Fixture.replace(CAMPAIGN, "budget: 40", "budget: forty");

        assertSingle(
                load(text), FILE, 13, 9, "'budget' (experiments to run) must be a whole number, got text 'forty'", "");
    }

    @Test
    void load_numberWithUnitInText_hintsToMoveTheUnit() {
        String text = Fixture.replace(CAMPAIGN, "max: 2.0,", "max: 2 min,");

        assertSingle(load(text), FILE, 6, col(text, 6, "2 min"), "must be a number", "units go under 'unit:'");
    }

    @Test
    void load_quotedNumber_hintsToRemoveTheQuotes() {
        String text = Fixture.replace(CAMPAIGN, "min: 0.5,", "min: \"0.5\",");

        assertSingle(load(text), FILE, 6, col(text, 6, "\"0.5\""), "got text '0.5'", "remove the quotes");
    }

    @Test
    void load_listWhereMapExpected_reportsWrongTypeWithHint() {
        String text =
                Fixture.replace(CAMPAIGN, "tau: {type: continuous, min: 0.5, max: 2.0, unit: min}", "tau: [0.5, 2]");

        assertSingle(
                load(text),
                FILE,
                6,
                8,
                "parameter 'tau' must be a map of 'key: value' entries, got a list",
                "not '- ' items or [brackets]");
    }

    @Test
    void load_nonIntegerBudget_reportsWholeNumberNeeded() {
        assertSingle(loadReplacing("budget: 40", "budget: 40.5"), FILE, 13, 9, "must be a whole number, got 40.5", "");
    }

    @Test
    void load_zeroBudget_reportsRange() {
        assertSingle(loadReplacing("budget: 40", "budget: 0"), FILE, 13, 9, "between 1 and", "at least 1");
    }

    @Test
    void load_seedTooLargeForALong_reportsIt() {
        assertSingle(loadReplacing("seed: 7", "seed: 99999999999999999999999"), FILE, 16, 7, "'seed' is too large", "");
    }

    @Test
    void load_infiniteNumber_reportsNotFinite() {
        String text = Fixture.replace(CAMPAIGN, "max: 2.0,", "max: .inf,");

        assertSingle(load(text), FILE, 6, col(text, 6, ".inf"), "must be a finite number", "");
    }

    @Test
    void load_continuousMinGreaterThanMax_reportsAtMinWithSwapHint() {
        String text = Fixture.replace(CAMPAIGN, "min: 0.5, max: 2.0", "min: 3, max: 2.0");

        assertSingle(load(text), FILE, 6, col(text, 6, "3,"), "is greater than 'max': 3 > 2", "swap them");
    }

    @Test
    void load_categoricalWithEmptyChoices_reportsNoChoices() {
        String text = Fixture.replace(CAMPAIGN, "[EtOH, MeCN]", "[]");

        assertSingle(load(text), FILE, 8, col(text, 8, "[]"), "parameter 'solvent' (categorical) has no choices", "");
    }

    @Test
    void load_moleculeWithEmptyChoices_reportsNoChoices() {
        String text =
                Fixture.replace(CAMPAIGN, "{KOAc: \"CC(=O)[O-].[K+]\", CsOPiv: \"CC(C)(C)C(=O)[O-].[Cs+]\"}", "{}");

        assertSingle(load(text), FILE, 9, col(text, 9, "{}"), "has no choices", "name: SMILES");
    }

    @Test
    void load_discreteValueListedTwice_reportsTheRepeat() {
        String text = Fixture.replace(CAMPAIGN, "[0.1, 0.2, 0.5]", "[0.1, 0.2, 0.1]");

        assertSingle(load(text), FILE, 7, col(text, 7, "0.1]"), "value 0.1 is listed twice", "first on line 7");
    }

    @Test
    void load_categoricalChoiceListedTwice_reportsTheRepeat() {
        String text = Fixture.replace(CAMPAIGN, "[EtOH, MeCN]", "[EtOH, MeCN, EtOH]");

        assertSingle(load(text), FILE, 8, col(text, 8, "EtOH]"), "choice 'EtOH' is listed twice", "remove the repeat");
    }

    @Test
    void load_keyWrittenTwice_reportsTheSecond() {
        List<Problem> problems = load(CAMPAIGN + "seed: 8\n");

        assertSingle(
                problems,
                FILE,
                17,
                1,
                "key 'seed' appears twice in the same map (first on line 16)",
                "remove one of them: a key may appear only once in a map");
    }

    @Test
    void batchSizeAboveTheBudget_isAccepted_theRunSaysWhatItMeans() {
        // A quick trial with a smaller budget keeps the file's batch_size; labloop run notes what that means.
        String text = Fixture.replace(
                Fixture.replace(CAMPAIGN, "budget: 40", "budget: 3"), "batch_size: 4", "batch_size: 50");

        var spec = Fixture.spec(dir, text, WORKCELL, PROTOCOL);

        assertThat(spec.batchSize()).isEqualTo(50);
        assertThat(spec.budget()).isEqualTo(3);
    }

    @Test
    void load_missingRequiredTopLevelKey_reportsAtStartOfFileWithExample() {
        List<Problem> problems = load(Fixture.replace(CAMPAIGN, "budget: 40\n", ""));

        assertSingle(problems, FILE, 1, 1, "the campaign file has no 'budget'", "add 'budget: 40'");
    }

    @Test
    void load_missingRequiredParameterKey_reportsAtTheParameterName() {
        List<Problem> problems = loadReplacing(", max: 2.0", "");

        assertSingle(problems, FILE, 6, 3, "parameter 'tau' (continuous) has no 'max'", "add 'max: ");
    }

    @Test
    void load_unknownParameterType_listsTheTypes() {
        String text = Fixture.replace(CAMPAIGN, "type: continuous", "type: continous");

        assertSingle(
                load(text),
                FILE,
                6,
                col(text, 6, "continous"),
                "unknown parameter type 'continous'",
                "did you mean 'continuous'? parameter types: continuous, discrete, categorical, molecule");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"solvänt, e.g. 'solvant'", "τ, such as 'residence_time'"})
    void load_nonAsciiParameterName_saysTheRuleIsAsciiAndSuggestsAName(String name, String suggestion) {
        String text = Fixture.replace(CAMPAIGN, "solvent: {type: categorical", name + ": {type: categorical");

        List<Problem> problems = Fixture.problems(dir, text, WORKCELL, PROTOCOL);

        assertProblem(
                problems.get(0),
                FILE,
                8,
                3,
                "parameter name '" + name + "' is not allowed",
                "use only the letters a-z and A-Z, digits and _, " + suggestion);
    }

    @Test
    void load_invalidParameterName_reportsAtTheName() {
        String text = Fixture.replace(CAMPAIGN, "conc: {type: discrete", "conc-mM: {type: discrete");

        List<Problem> problems = Fixture.problems(dir, text, WORKCELL, PROTOCOL);

        assertProblem(problems.get(0), FILE, 7, 3, "parameter name 'conc-mM' is not allowed", "e.g. 'conc_mM'");
        // Said once, and the protocol's $conc is not told to mean the name that is not allowed.
        assertThat(problems).filteredOn(p -> p.message().contains("conc-mM")).hasSize(1);
        assertThat(problems)
                .filteredOn(p -> p.message().contains("$conc"))
                .allSatisfy(p -> assertThat(p.hint()).doesNotContain("conc-mM"));
    }

    @Test
    void load_unknownPlannerType_listsKnownPlanners() {
        String text = Fixture.replace(CAMPAIGN, "planner: {type: sobol}", "planner: {type: bayes}");

        assertSingle(
                load(text),
                FILE,
                15,
                17,
                "unknown planner type 'bayes'",
                "known planners: bayesian, lhs, random, sobol");
    }

    @Test
    void load_unknownPlannerAsBareString_suggestsTheClosest() {
        String text = Fixture.replace(CAMPAIGN, "planner: {type: sobol}", "planner: sobel");

        assertSingle(load(text), FILE, 15, 10, "unknown planner type 'sobel'", "did you mean 'sobol'?");
    }

    @Test
    void load_unknownEmulatorType_listsKnownEmulators() {
        String text = Fixture.replace(CAMPAIGN, "type: snar,", "type: snr,");

        assertSingle(
                load(text),
                FILE,
                4,
                18,
                "unknown emulator type 'snr'",
                "did you mean 'snar'? known emulators: lookup, snar");
    }

    @Test
    void load_emulatorWithoutType_reportsMissingType() {
        String text = Fixture.replace(CAMPAIGN, "{type: snar, variant: corrected}", "{variant: corrected}");

        assertSingle(load(text), FILE, 4, 1, "'emulator' has no 'type'", "add 'type: ");
    }

    @Test
    void load_plannerTypeKeyMisspelt_suggestsType() {
        String text = Fixture.replace(CAMPAIGN, "planner: {type: sobol}", "planner: {tpye: sobol}");

        assertSingle(load(text), FILE, 15, 11, "'planner' has no 'type'", "did you mean 'type' instead of 'tpye'?");
    }

    @Test
    void load_unknownDirection_hintsTheSpellings() {
        String text = Fixture.replace(CAMPAIGN, "direction: maximise", "direction: maximum");

        assertSingle(
                load(text),
                FILE,
                11,
                col(text, 11, "maximum"),
                "unknown direction 'maximum' for objective 'sty'",
                "did you mean 'maximise'? write maximise or minimise");
    }

    @Test
    void load_emptyOptionValue_reportsIt() {
        String text = Fixture.replace(CAMPAIGN, "variant: corrected", "variant: ~");

        assertSingle(load(text), FILE, 4, col(text, 4, "~"), "emulator option 'variant' is empty", "");
    }

    @Test
    void load_manyMistakes_reportsAllOfThemInFileOrder() {
        String text = CAMPAIGN.replace("budget: 40", "budget: x")
                .replace("batch_size", "batchsize")
                .replace("[EtOH, MeCN]", "[]")
                .replace("type: sobol", "type: bayes");

        List<Problem> problems = load(text);

        assertThat(problems).extracting(Problem::line).containsExactly(8, 13, 14, 15);
    }
}
