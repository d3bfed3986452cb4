package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.SourceFile;
import org.labloop.core.Problem;
import org.labloop.space.DescriptorTable;
import org.labloop.space.Parameter;

/** A categorical or molecule parameter's {@code descriptors: FILE.csv}: read, checked at its lines, stored. */
class DescriptorTablesTest {
    @TempDir
    Path dir;

    private static final String SOLVENT = "solvent: {type: categorical, choices: [EtOH, MeCN]}";
    private static final String WITH_TABLE =
            "solvent: {type: categorical, choices: [EtOH, MeCN], descriptors: solvents.csv}";

    private Path campaign(String csv) throws Exception {
        Files.writeString(dir.resolve("solvents.csv"), csv);
        return Fixture.write(dir, Fixture.replace(CAMPAIGN, SOLVENT, WITH_TABLE), WORKCELL, PROTOCOL);
    }

    private static int line(String text, String token) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(token)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line with " + token);
    }

    @Test
    void aTable_isAttachedToItsParameter_withOnlyTheChoicesItLists_andStoredWithTheCampaign() throws Exception {
        Path file = campaign("solvent,dielectric,bp_C\nDMSO,46.7,189\nEtOH,24.5,78.4\n\nMeCN,37.5,81.6\n");

        LoadedCampaign loaded = Fixture.loader().load(file);

        Parameter solvent = loaded.spec().space().parameter("solvent").orElseThrow();
        DescriptorTable t = solvent.descriptors().orElseThrow();
        assertThat(t.columns()).containsExactly("dielectric", "bp_C");
        assertThat(t.values().keySet()).containsExactly("EtOH", "MeCN");
        assertThat(t.of("MeCN")).containsExactly(37.5, 81.6);
        assertThat(loaded.sources())
                .extracting(SourceFile::role)
                .containsExactly("campaign", "workcell", "protocol", "descriptors:solvent");

        // Resuming reads the stored copy, not the file, which may have changed since.
        Files.writeString(dir.resolve("solvents.csv"), "solvent,dielectric\nEtOH,1\nMeCN,2\n");
        LoadedCampaign stored = Fixture.loader().parse(loaded.sources());
        assertThat(stored.spec()).isEqualTo(loaded.spec());
    }

    @Test
    void aChoiceTheTableLacks_isReportedAtTheDescriptorsValue() throws Exception {
        Path file = campaign("solvent,dielectric\nEtOH,24.5\nDMSO,46.7\n");
        String text = Files.readString(file);

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(file));

        Fixture.assertSingle(
                problems,
                "campaign.yaml",
                line(text, "solvents.csv"),
                Fixture.col(text, line(text, "solvents.csv"), "solvents.csv"),
                "has no row for 'MeCN' of parameter 'solvent' (its first column, 'solvent', names the choices)",
                "add a row for each choice");
    }

    @Test
    void aCellThatIsNotANumber_isReportedAtItsLineOfTheCsv() throws Exception {
        Path file = campaign("solvent,dielectric\n\nEtOH,24.5\nMeCN,high\n");

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(file));

        Fixture.assertSingle(
                problems,
                "solvents.csv",
                4,
                0,
                "descriptor column 'dielectric' is not numeric (line 4 has 'high')",
                "finite number");
    }

    @Test
    void aChoiceListedTwice_andATableWithoutNumbers_areRefused() throws Exception {
        List<Problem> twice = Fixture.problems(
                () -> Fixture.loader().load(uncheckedCampaign("solvent,dielectric\nEtOH,24.5\nMeCN,37.5\nEtOH,25\n")));
        Fixture.assertSingle(
                twice, "solvents.csv", 4, 0, "choice 'EtOH' has a second row (the first is on line 2)", "one row");

        List<Problem> names = Fixture.problems(() -> Fixture.loader().load(uncheckedCampaign("solvent\nEtOH\nMeCN\n")));
        Fixture.assertSingle(names, "solvents.csv", 1, 0, "at least one column of numbers", "solvent,dielectric");
    }

    @Test
    void aMissingFile_isReportedAtTheDescriptorsValue_suggestingACsvNearby() throws Exception {
        Files.writeString(dir.resolve("solvents.csv"), "solvent,dielectric\nEtOH,24.5\nMeCN,37.5\n");
        Path file = Fixture.write(
                dir,
                Fixture.replace(CAMPAIGN, SOLVENT, WITH_TABLE.replace("solvents.csv", "solvent.csv")),
                WORKCELL,
                PROTOCOL);

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(file));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.source()).endsWith("campaign.yaml");
            assertThat(p.message()).contains("descriptor table").contains("solvent.csv does not exist");
            assertThat(p.hint()).contains("solvents.csv");
        });
    }

    @Test
    void campaignTextsWithoutTheTable_areRefusedAtTheDescriptorsValue_sayingWhereItCanBeRead() throws Exception {
        Path file = campaign("solvent,dielectric\nEtOH,24.5\nMeCN,37.5\n");
        List<SourceFile> texts = Fixture.loader().load(file).sources().stream()
                .filter(s -> !s.role().startsWith("descriptors:"))
                .toList();

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().parse(texts));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.message()).contains("descriptor table 'solvents.csv' of parameter 'solvent' is not among");
            assertThat(p.hint()).contains("labloop run");
        });
    }

    private Path uncheckedCampaign(String csv) {
        try {
            return campaign(csv);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
