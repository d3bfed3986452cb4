package org.labloop.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.SourceFile;
import org.labloop.config.LoadedCampaign;
import org.labloop.core.InvalidInputException;
import org.labloop.store.InMemoryEventLog;

/** A lookup emulator's table is stored with the campaign: a later run answers from the copy, not from the disk. */
class StoredTablesTest {
    @TempDir
    Path dir;

    private Path campaign() {
        return SolventScreen.write(dir, "{type: categorical, choices: [EtOH, MeCN]}");
    }

    @Test
    void aStoredCampaign_answersFromItsCopyOfTheTable_evenAfterTheFileChanged() throws Exception {
        CampaignRunner runner = new CampaignRunner(new Lab());
        CampaignRunner.Prepared p = runner.prepare(campaign(), null);
        assertThat(p.sources())
                .filteredOn(s -> s.role().equals("table:screen.csv"))
                .singleElement()
                .extracting(SourceFile::text)
                .isEqualTo("solvent,yield\nEtOH,10\nMeCN,20\n");
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = runner.create(p, log, "test");

            Files.writeString(dir.resolve("screen.csv"), "solvent,yield\nEtOH,99\nMeCN,98\n");
            CampaignRunner.Prepared again = runner.prepareStored(CampaignState.load(log, id));

            assertThat(again.emulator().evaluate(Map.of("solvent", "EtOH"), new SplittableRandom(1)))
                    .containsEntry("yield", 10.0);
            assertThat(again.sources()).isEqualTo(p.sources()); // nothing read anew, nothing added
        }
    }

    @Test
    void aStoredCampaignWithAUnitANewCampaignMayNotHave_stillRuns() throws Exception {
        Path copy = ExampleCopies.snar(dir.resolve("snar"), 2);
        Files.writeString(
                copy, Files.readString(copy).replace("min: 30, max: 120, unit: degC}", "min: 30, max: 120, unit: K}"));
        CampaignRunner runner = new CampaignRunner(new Lab());
        assertThatThrownBy(() -> runner.prepare(copy, null).requireNew())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("parameter 'temperature' is in 'K'");

        // Stored by an earlier version, which let it through: it is read and runs as it was recorded.
        LoadedCampaign loaded = new Lab().loader().load(copy);
        CampaignRunner.Prepared p = runner.check(loaded.spec(), loaded.sources(), copy.getParent(), copy.toString());
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = runner.create(p, log, "test");
            CampaignRunner.Prepared again = runner.prepareStored(CampaignState.load(log, id));
            assertThat(again.spec()
                            .space()
                            .parameter("temperature")
                            .orElseThrow()
                            .unit())
                    .isEqualTo("K");
        }
    }

    @Test
    void misspeltNames_inTheEmulatorAndConstraints_getTheNameMeant_atTheirOwnPlace() throws Exception {
        Path file = campaign();
        String text = Files.readString(file);
        Files.writeString(
                file,
                text.replace("outcomes: [yield]}", "outcomes: [yield], inputs: {Solvent: solvent}}")
                        + "constraints: [\"Yield >= 5\"]\n");
        CampaignRunner runner = new CampaignRunner(new Lab());

        assertThat(problems(runner, file))
                .anySatisfy(m -> assertThat(m)
                        .contains("option 'inputs': 'Solvent' is not one of its inputs")
                        .contains("did you mean 'solvent'?")
                        .contains(":4:"))
                .noneMatch(m -> m.contains("emulator: emulator"));

        Files.writeString(file, text + "constraints: [\"Yield >= 5\"]\n");
        assertThat(problems(runner, file))
                .singleElement()
                .asString()
                .contains("constraint 'Yield >= 5' is on 'Yield'")
                .contains("did you mean 'yield'?");
    }

    /** The problems preparing {@code file} reports, each as file:line:column: message (hint). */
    private static java.util.List<String> problems(CampaignRunner runner, Path file) {
        try {
            runner.prepare(file, null);
        } catch (InvalidInputException e) {
            return e.problems().stream().map(Object::toString).toList();
        }
        throw new AssertionError(file + " was accepted");
    }

    @Test
    void tableMistakes_areReportedWhereTheyWereMade_withOneHintEach() throws Exception {
        Path file = campaign();
        String text = Files.readString(file);
        Files.writeString(
                file,
                text.replace("yield: {direction: maximise}", "yeild: {direction: maximise}")
                        .replace("file: screen.csv", "file: screne.csv"));
        CampaignRunner runner = new CampaignRunner(new Lab());

        assertThat(problems(runner, file))
                // At the file option of the emulator section, where the name was written.
                .containsExactly(file + ":4:26: emulator: " + dir.resolve("screne.csv")
                        + ": file not found (hint: did you mean 'screen.csv'?)");

        Files.writeString(file, text.replace("yield: {direction: maximise}", "yeild: {direction: maximise}"));
        assertThatThrownBy(() -> runner.prepare(file, null))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.problems()).singleElement().satisfies(q -> {
                            assertThat(q.line()).as("the objective's line").isEqualTo(8);
                            assertThat(q.message()).contains("objective 'yeild' is not measured");
                        }));

        Files.writeString(dir.resolve("screen.csv"), "Solvent,yield,purity\nEtOH,10,97\nMeCN,20,98\n");
        Files.writeString(file, text);
        assertThat(problems(runner, file))
                .anySatisfy(m -> assertThat(m).contains("needs input 'Solvent'").contains("did you mean 'solvent'"))
                .anySatisfy(m -> assertThat(m)
                        .contains("needs input 'purity'")
                        .contains("goes under the emulator's outcomes or ignore"));
    }

    @Test
    void aServerRefusesATableOutsideItsFolder() throws Exception {
        Path file = campaign();
        Path outside = Files.writeString(dir.getParent().resolve("secret-" + dir.getFileName() + ".csv"), "key\nx\n");
        Files.writeString(file, Files.readString(file).replace("file: screen.csv", "file: " + outside));

        CampaignRunner server = new CampaignRunner(new Lab(), true);

        assertThatThrownBy(() -> server.prepare(file, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("a table of a campaign sent to the server must lie in")
                .hasMessageNotContaining("key");
        Files.delete(outside);
    }

    @Test
    void aServerRefusesALinkInItsFolderToATableOutsideIt() throws Exception {
        Path file = campaign();
        Path outside = Files.writeString(dir.getParent().resolve("linked-" + dir.getFileName() + ".csv"), "key\nx\n");
        Files.createSymbolicLink(dir.resolve("inside.csv"), outside);
        Files.writeString(file, Files.readString(file).replace("file: screen.csv", "file: inside.csv"));

        CampaignRunner server = new CampaignRunner(new Lab(), true);

        assertThatThrownBy(() -> server.prepare(file, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is a link to a file outside it")
                .hasMessageNotContaining("key");
        Files.delete(outside);
    }

    @Test
    void constraintsNoRowOfTheTableMeets_areRefusedAtTheirLine_beforeAnythingRuns() throws Exception {
        Path file = campaign();
        Files.writeString(
                file,
                Files.readString(file).replace("budget: 2", "constraints: [yield >= 15, yield <= 12]\nbudget: 2"));

        assertThatThrownBy(() -> new CampaignRunner(new Lab()).prepare(file, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("campaign.yaml:9")
                .hasMessageContaining("no row of the emulator's table meets every constraint")
                .hasMessageContaining("'yield >= 15' 1 of 2, 'yield <= 12' 1 of 2");

        // One row meeting them all is enough.
        Files.writeString(file, Files.readString(file).replace("yield <= 12", "yield <= 20"));
        new CampaignRunner(new Lab()).prepare(file, null);
    }
}
