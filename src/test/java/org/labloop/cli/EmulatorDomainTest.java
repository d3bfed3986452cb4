package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.store.SqliteEventLog;

/** A search space that reaches where the emulator does not answer is refused before any experiment is spent on it. */
class EmulatorDomainTest {
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
}
