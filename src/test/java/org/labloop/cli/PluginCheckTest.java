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
        Files.writeString(dir.resolve("workcell.yaml"), workcell.replace("setup_min: 0.5", "setup_mn: 0.5"));
        String campaign = Files.readString(Path.of("examples/snar/campaign.yaml"));
        assertThat(campaign).contains("planner: {type: bayesian}");
        Files.writeString(
                dir.resolve("campaign.yaml"),
                campaign.replace("planner: {type: bayesian}", "planner: {type: bayesian, restart: 3}"));

        CliTest.Result r = CliTest.labloop(
                "run",
                dir.resolve("campaign.yaml").toString(),
                "--data",
                tmp.resolve("data").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("2 problems")
                .containsPattern("campaign\\.yaml:42:27: planner: planner 'bayesian' has no option 'restart'")
                .containsPattern("workcell\\.yaml:38:5: device reactor: unknown sim driver option 'setup_mn'");
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
