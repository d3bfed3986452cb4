package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several campaign files run at once on the workcell they share. */
class SharedWorkcellCliTest {
    @TempDir
    Path tmp;

    private static final String URGENT = "examples/snar-shared/urgent.yaml";
    private static final String BACKGROUND = "examples/snar-shared/background.yaml";

    @Test
    void run_twoCampaignFiles_runsThemTogether_theUrgentOneFinishingFirst() {
        Path data = tmp.resolve("data");
        CliTest.Result r = CliTest.labloop("run", URGENT, BACKGROUND, "--data", data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Running campaigns snar-urgent-1, snar-background-1 together on workcell snar-flow-cell")
                .contains("Campaign snar-urgent-1 (snar-urgent): completed")
                .contains("Campaign snar-background-1 (snar-background): completed");
        CliTest.Result status = CliTest.labloop("status", "--data", data.toString());
        assertThat(status.out()).contains("snar-urgent-1").contains("snar-background-1");
        // Both used the one HPLC; the urgent campaign was served first and so ended sooner in lab time.
        CliTest.Result urgent = CliTest.labloop("status", "snar-urgent-1", "--data", data.toString());
        CliTest.Result background = CliTest.labloop("status", "snar-background-1", "--data", data.toString());
        assertThat(minutes(urgent.out())).isLessThan(minutes(background.out()));
    }

    /** The lab time a campaign took, from the "virtual time  2h 07m" line of its status. */
    private static int minutes(String status) {
        var m = java.util.regex.Pattern.compile("virtual time\\s+(?:(\\d+)h )?(\\d+)m")
                .matcher(status);
        assertThat(m.find()).as(status).isTrue();
        return (m.group(1) == null ? 0 : Integer.parseInt(m.group(1)) * 60) + Integer.parseInt(m.group(2));
    }

    @Test
    void run_severalFilesAtAPace_isRefused_andEachCampaignsStartNotesArePrinted() throws Exception {
        Path data = tmp.resolve("paced");
        CliTest.Result paced = CliTest.labloop("run", URGENT, BACKGROUND, "--data", data.toString(), "--pace", "300");
        assertThat(paced.code()).isEqualTo(2);
        assertThat(paced.err()).contains("--pace: several campaigns run together as fast as possible");
        assertThat(Files.exists(data)).isFalse();

        // The background campaign planned by a model with its whole budget in one batch: the note a single run
        // prints, printed here too.
        Path snar = Files.createDirectories(tmp.resolve("files/snar"));
        for (String f : List.of("workcell.yaml", "protocol.yaml")) {
            Files.copy(Path.of("examples/snar").resolve(f), snar.resolve(f));
        }
        Path dir = Files.createDirectories(tmp.resolve("files/shared"));
        Files.copy(Path.of(URGENT), dir.resolve("urgent.yaml"));
        String background = Files.readString(Path.of(BACKGROUND));
        String edited = background.replace(
                "budget: 20\nbatch_size: 4\nplanner: {type: sobol}",
                "budget: 4\nbatch_size: 4\nplanner: {type: bayesian}");
        assertThat(edited).isNotEqualTo(background);
        Files.writeString(dir.resolve("background.yaml"), edited);
        CliTest.Result r = CliTest.labloop(
                "run",
                dir.resolve("urgent.yaml").toString(),
                dir.resolve("background.yaml").toString(),
                "--data",
                tmp.resolve("notes").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("Note: [a-z-]+-1: batch_size 4 is not below the budget of 4");
    }

    @Test
    void run_theSameFileTwice_isRefusedBeforeAnythingIsWritten() {
        Path data = tmp.resolve("data");
        CliTest.Result r = CliTest.labloop("run", URGENT, "./" + URGENT, "--data", data.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is given twice").contains("give each campaign file once");
        assertThat(Files.exists(data)).isFalse();
    }

    @Test
    void run_campaignsOnDifferentWorkcells_isRefusedWithBothNames() throws Exception {
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        for (String f : new String[] {"campaign.yaml", "protocol.yaml"}) {
            Files.copy(Path.of("examples/snar").resolve(f), other.resolve(f));
        }
        Files.writeString(
                other.resolve("workcell.yaml"),
                Files.readString(Path.of("examples/snar/workcell.yaml"))
                        .replace("workcell: snar-flow-cell", "workcell: second-cell"));
        CliTest.Result r = CliTest.labloop(
                "run",
                URGENT,
                other.resolve("campaign.yaml").toString(),
                "--data",
                tmp.resolve("d").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("second-cell").contains("snar-flow-cell").contains("describe the same devices");
        assertThat(Files.exists(tmp.resolve("d").resolve("labloop.db"))
                        && CliTest.labloop("status", "--data", tmp.resolve("d").toString())
                                .out()
                                .contains("snar"))
                .as("nothing was created")
                .isFalse();
    }
}
