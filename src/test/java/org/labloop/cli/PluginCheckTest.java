package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.store.SqliteEventLog;

/**
 * What the files ask of the emulator, planner and drivers is checked before anything is written: a search space reaching
 * where the emulator does not answer, and options they do not have, each reported at its place in the files.
 */
class PluginCheckTest {
    @TempDir
    Path tmp;

    private Path campaign(String from, String to) throws Exception {
        Path dir = tmp.resolve("campaign");
        Files.createDirectories(dir);
        for (String f : List.of("workcell.yaml", "protocol.yaml")) {
            Files.copy(Path.of("examples/snar").resolve(f), dir.resolve(f));
        }
        String text = Files.readString(Path.of("examples/snar/campaign.yaml"));
        assertThat(text).contains(from);
        Files.writeString(dir.resolve("campaign.yaml"), text.replace(from, to));
        return dir.resolve("campaign.yaml");
    }

    @Test
    void aParameterBeyondTheSnarModelsRange_isRefusedWithTheRangeItAnswersFor_andNothingIsWritten() throws Exception {
        Path data = tmp.resolve("data");
        Path file = campaign(
                "temperature: {type: continuous, min: 30, max: 120",
                "temperature: {type: continuous, min: 0, max: 300");

        CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("parameter 'temperature' goes from 0 to 300, but emulator 'snar' answers only for 30 to 120")
                .contains("keep 'temperature' within 30 to 120");
        assertThat(Files.exists(data.resolve(SqliteEventLog.FILE_NAME))).isFalse();
    }

    @Test
    void severalBadEmulatorOptions_areReportedTogether_eachAtItsLine() throws Exception {
        Path data = tmp.resolve("data");
        Path file = campaign(
                "  variant: corrected           #", "  variant: newest\n  noise_pct: -1\n  varaint: x           #");

        CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("campaign.yaml:23:3: emulator 'snar', option 'variant': unknown SnAr variant 'newest'")
                .contains("write one of corrected, published-2020")
                .contains("campaign.yaml:24:3: emulator 'snar', option 'noise_pct': must be 0 or more (percent)")
                .contains("campaign.yaml:25:3: emulator 'snar' has no option 'varaint'")
                .contains("did you mean 'variant'?")
                .doesNotContain("emulator: emulator");
        assertThat(data).doesNotExist();
    }

    @Test
    void aControlCharacterQuotedBackInAMessage_isShownEscaped_neverSentToTheTerminal() throws Exception {
        Path file = campaign("  variant: corrected           #", "  variant: \"x\\e[2Jy\"           #");

        CliTest.Result r = CliTest.labloop(
                "run", file.toString(), "--data", tmp.resolve("data").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown SnAr variant 'x\\u001B[2Jy'").doesNotContain("\u001B");
    }

    @Test
    void aParameterInAnotherUnitThanTheModelReadsItIn_isRefused_andNothingIsWritten() throws Exception {
        Path data = tmp.resolve("data");
        // 30 to 120 K lies inside the model's range in degC, so only the unit can tell.
        Path file = campaign("min: 30, max: 120, unit: degC}", "min: 30, max: 120, unit: K}");

        CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("parameter 'temperature' is in 'K', but emulator 'snar' reads it in degC")
                .contains("give 'temperature' unit: degC and its range in degC");
        assertThat(data).doesNotExist();

        // Other spellings of the model's units are the same units.
        Files.writeString(
                file,
                Files.readString(file)
                        .replace("unit: K}", "unit: °C}")
                        .replace("max: 2.0, unit: min}", "max: 2.0, unit: minutes}")
                        .replace("budget: 40", "budget: 2"));
        assertThat(Files.readString(file)).contains("unit: minutes}", "unit: °C}", "budget: 2");
        CliTest.Result ok = CliTest.labloop("run", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(ok.code()).as(ok.err()).isZero();
    }

    @Test
    void runOfTheFilesOfAStoredCampaignWithAUnitANewOneMayNotHave_resumesIt() throws Exception {
        Path file = campaign("min: 30, max: 120, unit: degC}", "min: 30, max: 120, unit: K}");
        Files.writeString(file, Files.readString(file).replace("budget: 40", "budget: 2"));

        assertStoredCampaignResumesByItsFiles_butNoNewOneIsMade(file, "parameter 'temperature' is in 'K'");
    }

    @Test
    void runOfTheFilesOfAStoredCampaignThatANewerCheckFindsUnworkable_resumesIt() throws Exception {
        Path file = campaign("budget: 40", "budget: 2");
        Path protocol = file.resolveSibling("protocol.yaml");
        String text = Files.readString(protocol);
        assertThat(text).contains("    measures: true");
        // The HPLC is the only analyser: moving a failed analysis to another device cannot work.
        Files.writeString(
                protocol,
                text.replace("    measures: true", "    measures: true\n    on_failure: {then: other_device}"));

        assertStoredCampaignResumesByItsFiles_butNoNewOneIsMade(file, "other_device");
    }

    /**
     * Stores the campaign of {@code file} as an earlier version did (which let through what is refused now) and as a
     * killed run left it; then {@code run} of the files resumes it, and a new campaign from them is refused, saying
     * {@code refusal}.
     */
    private void assertStoredCampaignResumesByItsFiles_butNoNewOneIsMade(Path file, String refusal) {
        Path data = tmp.resolve("data");
        org.labloop.lab.Lab lab = new org.labloop.lab.Lab();
        String id;
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            var stored = lab.loader()
                    .parseStored(lab.loader().loadKeepingUnworkable(file).sources());
            org.labloop.lab.CampaignRunner runner = new org.labloop.lab.CampaignRunner(lab);
            id = runner.create(
                    runner.check(stored.spec(), stored.sources(), file.getParent(), file.toString()),
                    store.log(),
                    "user:test");
        }

        CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString(), "--no-progress");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Resuming unfinished campaign " + id);
        CliTest.Result again = CliTest.labloop("run", file.toString(), "--data", data.toString(), "--new");
        assertThat(again.code())
                .as("a new campaign from these files is refused")
                .isEqualTo(2);
        assertThat(again.err()).contains(refusal);
    }

    @Test
    void aParameterNothingReads_isRefusedAtItsLine_withTheWaysToUseIt() throws Exception {
        String anchor = "parameters:\n";
        Path file = campaign(anchor, anchor + "  stirring: {type: continuous, min: 100, max: 900, unit: rpm}\n");
        Path data = tmp.resolve("data");

        CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        String campaign = Files.readString(Path.of("examples/snar/campaign.yaml"));
        int line = campaign.substring(0, campaign.indexOf(anchor)).split("\n", -1).length + 1;
        assertThat(r.err())
                .contains("campaign.yaml:" + line + ":3: parameter 'stirring' is read by no protocol step and not by"
                        + " emulator 'snar'")
                .contains("pass it to a step of protocol")
                .contains("(args: {NAME: $stirring})");
        assertThat(data).doesNotExist();
    }

    @Test
    void aParameterOnlyAStepReads_isAccepted() throws Exception {
        Path dir = tmp.resolve("stirred");
        Files.createDirectories(dir);
        Files.copy(Path.of("examples/snar/workcell.yaml"), dir.resolve("workcell.yaml"));
        String protocol = Files.readString(Path.of("examples/snar/protocol.yaml"));
        String react = "temperature: $temperature";
        assertThat(protocol).contains(react);
        Files.writeString(dir.resolve("protocol.yaml"), protocol.replace(react, react + "\n      rpm: $stirring"));
        String anchor = "parameters:\n";
        String campaign = Files.readString(Path.of("examples/snar/campaign.yaml"));
        Files.writeString(
                dir.resolve("campaign.yaml"),
                campaign.replace(anchor, anchor + "  stirring: {type: continuous, min: 100, max: 900, unit: rpm}\n"));

        CliTest.Result r = CliTest.labloop("plan", dir.resolve("campaign.yaml").toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Expected makespan");
    }

    @Test
    void run_notesAConstraintEveryRowMeets_andAParameterNoSimulatedOutcomeDependsOn() throws Exception {
        Path dir = tmp.resolve("screen");
        Files.createDirectories(dir);
        Path file = org.labloop.lab.SolventScreen.write(dir, "{type: categorical, choices: [EtOH, MeCN]}");
        Path protocol = dir.resolve("protocol.yaml");
        Files.writeString(
                protocol,
                Files.readString(protocol)
                        .replace("args: {solvent: $solvent}", "args: {solvent: $solvent, rpm: $stir}"));
        Files.writeString(
                file,
                Files.readString(file)
                                .replace("parameters:\n", "parameters:\n  stir: {type: discrete, values: [100, 200]}\n")
                        + "constraints: [\"yield >= -5\"]\n");

        CliTest.Result r = CliTest.labloop(
                "run", file.toString(), "--data", tmp.resolve("data").toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Note: every row of the emulator's table meets constraint 'yield >= -5', so it rules nothing"
                        + " out")
                .contains("Note: parameter 'stir' is no input of emulator 'lookup'")
                .doesNotContain("parameter 'solvent' is no input");
    }

    @Test
    void aParameterInsideTheRange_isAccepted_byThePlanToo() throws Exception {
        Path file = campaign(
                "temperature: {type: continuous, min: 30, max: 120",
                "temperature: {type: continuous, min: 40, max: 100");

        CliTest.Result r = CliTest.labloop("plan", file.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Expected makespan");
    }

    @Test
    void optionMistakesInPlannerAndDrivers_areReportedTogether_atTheirLinesInTheirFiles() throws Exception {
        Path dir = tmp.resolve("options");
        Files.createDirectories(dir);
        Files.copy(Path.of("examples/snar/protocol.yaml"), dir.resolve("protocol.yaml"));
        String workcell = Files.readString(Path.of("examples/snar/workcell.yaml"));
        assertThat(workcell).contains("setup_min: 0.5");
        Files.writeString(
                dir.resolve("workcell.yaml"),
                workcell.replace("setup_min: 0.5", "setup_mn: 0.5\n        failure_rate: 2\n        hang_min:"));
        String campaign = Files.readString(Path.of("examples/snar/campaign.yaml"));
        assertThat(campaign).contains("planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}");
        Files.writeString(
                dir.resolve("campaign.yaml"),
                campaign.replace(
                        "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}",
                        "planner: {type: bayesian, restart: 3}"));

        CliTest.Result r = CliTest.labloop(
                "run",
                dir.resolve("campaign.yaml").toString(),
                "--data",
                tmp.resolve("data").toString());

        assertThat(r.code()).isEqualTo(2);
        // Every option problem at once, each at its own line.
        assertThat(r.err())
                .contains("4 problems")
                .containsPattern("campaign\\.yaml:42:27: planner 'bayesian' has no option 'restart'.*"
                        + "did you mean 'restarts'\\?")
                .containsPattern("workcell\\.yaml:43:9: device reactor: unknown sim driver option 'setup_mn'.*"
                        + "did you mean 'setup_min'\\?")
                .containsPattern(
                        "workcell\\.yaml:44:9: device reactor: failure_rate must be a number from 0 to 1," + " got 2 ")
                .contains("hang_min must be a number of minutes from 0 to 1000000, got nothing (the value is empty)");
    }

    @Test
    void plannerProblems_ofParsingAndOfTheCampaignsFit_areReportedTogether_eachAtItsLine() throws Exception {
        // A value that does not parse, and an option this space has nothing for (no molecule parameter).
        Path file = campaign(
                "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}",
                "planner:\n  type: bayesian\n  avoid_repeats: maybe\n  molecule_dims: 3");

        CliTest.Result r = CliTest.labloop(
                "run", file.toString(), "--data", tmp.resolve("d").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("2 problems")
                .containsPattern("campaign\\.yaml:44:3: planner 'bayesian': avoid_repeats must be true or false")
                .containsPattern("campaign\\.yaml:45:3: planner 'bayesian': molecule_dims says how to encode molecule");
    }

    @Test
    void anInvalidSmiles_isRefusedAtItsValue_beforeTheCampaignIsCreated() throws Exception {
        String anchor = "parameters:\n";
        String inserted = "  base: {type: molecule, choices: {KOAc: \"CC(=O)[O-].[K+]\", bad: \"C1CC(\"}}";
        Path file = campaign(anchor, anchor + inserted + "\n");
        Path data = tmp.resolve("data");

        CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        String campaign = Files.readString(Path.of("examples/snar/campaign.yaml"));
        int line = campaign.substring(0, campaign.indexOf(anchor)).split("\n", -1).length + 1;
        int column = inserted.indexOf("\"C1CC(") + 1;
        assertThat(r.err())
                .contains("campaign.yaml:" + line + ":" + column + ": choice 'bad' of parameter 'base' (molecule) has"
                        + " an invalid SMILES 'C1CC(': unclosed ring")
                .contains("correct the SMILES");
        assertThat(data).doesNotExist();
    }

    @Test
    void anInvalidSmiles_overALookupTableOfSmiles_isTheOnlyProblemReported() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("screen"));
        Path file =
                org.labloop.lab.SolventScreen.write(dir, "{type: molecule, choices: {EtOH: \"CCO\", MeCN: \"CC#N(\"}}");
        Files.writeString(dir.resolve("screen.csv"), "solvent,yield\nCCO,10\nCC#N,20\n");

        CliTest.Result r = CliTest.labloop("plan", file.toString());

        assertThat(r.code()).isEqualTo(2);
        // Not also "no row of screen.csv has solvent = EtOH, MeCN": the names are matched by structure, and one
        // structure does not parse.
        assertThat(r.err())
                .contains("choice 'MeCN' of parameter 'solvent' (molecule) has an invalid SMILES 'CC#N('")
                .doesNotContain("no row of")
                .doesNotContain("problems");
    }

    @Test
    void choicesThePlannerCannotTellApart_areRunWithANote() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("twice"));
        Path file =
                org.labloop.lab.SolventScreen.write(dir, "{type: molecule, choices: {EtOH: \"CCO\", MeCN: \"OCC\"}}");
        String screen = Files.readString(file);
        Files.writeString(file, screen + "planner: {type: bayesian}\n");

        CliTest.Result r = CliTest.labloop(
                "run", file.toString(), "--data", tmp.resolve("d").toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Note: choices EtOH, MeCN of parameter 'solvent' have the same structure, so a model-based"
                        + " planner cannot tell them apart.");

        // Encoded by name, they are two points to the planner: nothing to note.
        Files.writeString(file, screen + "planner: {type: bayesian, molecule_encoding: onehot}\n");
        CliTest.Result byName = CliTest.labloop(
                "run", file.toString(), "--data", tmp.resolve("d2").toString(), "--no-progress");
        assertThat(byName.code()).as(byName.err()).isZero();
        assertThat(byName.out()).doesNotContain("cannot tell them apart");
    }

    @Test
    void aTargetNoRowOfTheLookupTableMeets_isNotedWhenTheRunStarts() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("unreachable"));
        Path file = org.labloop.lab.SolventScreen.write(dir, "{type: categorical, choices: [EtOH, MeCN]}");
        String text = Files.readString(file);
        Files.writeString(
                file, text.replace("yield: {direction: maximise}", "yield: {direction: maximise, target: 150}"));

        CliTest.Result r = CliTest.labloop(
                "run", file.toString(), "--data", tmp.resolve("d").toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Note: no row of the emulator's table meets every objective's target, so the goal cannot be"
                        + " met and the whole budget will be spent.")
                .contains("budget of 2 experiments spent");
    }

    @Test
    void aBlankSmiles_asksForASmiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("blank"));
        Path file = org.labloop.lab.SolventScreen.write(dir, "{type: molecule, choices: {EtOH: \"CCO\", MeCN: \" \"}}");

        CliTest.Result r = CliTest.labloop("plan", file.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("the SMILES of choice 'MeCN' of parameter 'solvent' (molecule) is blank")
                .contains("write the molecule's SMILES");
    }

    @Test
    void aCampaignStoredWithASmilesThisVersionRefuses_stillReadsAndExports_butDoesNotRun() throws Exception {
        // A space in a SMILES was accepted before (the CDK drops what follows it); such a store must stay readable.
        Path file = campaign(
                "parameters:\n",
                "parameters:\n  base: {type: molecule, choices: {KOAc: \"CC(=O)[O-] [K+]\", CsOAc: \"CC(=O)[O-].[Cs+]\"}}\n");
        Path data = tmp.resolve("old-data");
        org.labloop.lab.Lab lab = new org.labloop.lab.Lab();
        org.labloop.config.LoadedCampaign loaded = lab.loader().load(file);
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            String id = store.log().newCampaignId(loaded.spec().name());
            assertThat(id).isEqualTo("snar-demo-1");
            store.log()
                    .append(
                            id,
                            org.labloop.lab.CampaignRunner.VIRTUAL_START,
                            "user:test",
                            new org.labloop.event.EventBody.CampaignCreated(
                                    loaded.spec().name(),
                                    loaded.spec().seed(),
                                    "0.9",
                                    loaded.sources().stream()
                                            .map(f -> new org.labloop.event.EventBody.Source(
                                                    f.role(), f.path(), f.sha256(), f.text()))
                                            .toList()));
        }

        CliTest.Result status = CliTest.labloop("status", "snar-demo-1", "--data", data.toString());
        assertThat(status.code()).as(status.err()).isZero();
        CliTest.Result export = CliTest.labloop("export", "snar-demo-1", "--data", data.toString());
        assertThat(export.code()).as(export.err()).isZero();
        CliTest.Result resume = CliTest.labloop("resume", "snar-demo-1", "--data", data.toString(), "--no-progress");
        assertThat(resume.code()).isEqualTo(2);
        assertThat(resume.err()).contains("choice 'KOAc' of parameter 'base'").contains("contains whitespace");
    }

    @Test
    void aParameterThatIsAStepsDuration_mustBeAPlausibleNumberOfMinutes() throws Exception {
        Path file = campaign(
                "tau:         {type: continuous, min: 0.5, max: 2.0",
                "tau:         {type: continuous, min: 0.5, max: 2e6");

        CliTest.Result r = CliTest.labloop("plan", file.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .containsPattern("campaign\\.yaml:\\d+:3: parameter 'tau' is the duration of step 'react' in minutes,"
                        + " but goes from 0.5 to 2000000")
                .contains("keep 'tau' within 0 to 1000000 minutes");
    }
}
