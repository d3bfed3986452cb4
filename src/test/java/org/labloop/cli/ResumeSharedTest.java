package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;
import org.labloop.store.LogProgress;

/** Two campaigns run together on one workcell, killed with SIGKILL, and brought back by 'labloop resume'. */
class ResumeSharedTest {
    private static final String URGENT = "examples/snar-shared/urgent.yaml";
    private static final String BACKGROUND = "examples/snar-shared/background.yaml";

    @TempDir
    Path tmp;

    /** Starts the pair in a child process and kills it once {@code events} events are in the store. */
    private static void runAndKill(Path data, long events) throws Exception {
        try (LogProgress progress = new LogProgress(new org.labloop.store.StoreLocation.Directory(data))) {
            runAndKillWhen(data, () -> progress.events() >= events);
        }
    }

    /** Starts the pair in a child process and kills it once {@code reached} holds (polled every 2 ms). */
    private static void runAndKillWhen(Path data, java.util.function.BooleanSupplier reached) throws Exception {
        Process child = new ProcessBuilder(pair(data))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            while (child.isAlive() && !reached.getAsBoolean()) {
                child.waitFor(2, TimeUnit.MILLISECONDS);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void aRunStoppedByASignal_saysHowToSeeAndContinueItsCampaignsInItsStore() throws Exception {
        Path data = tmp.resolve("signalled");
        Path err = tmp.resolve("err.txt");
        Process child = new ProcessBuilder(pair(data))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .start();
        try (LogProgress progress = new LogProgress(new org.labloop.store.StoreLocation.Directory(data))) {
            while (child.isAlive() && progress.events() < 60) {
                child.waitFor(2, TimeUnit.MILLISECONDS);
            }
        } finally {
            child.destroy(); // SIGTERM, as kill or a closed terminal sends: the shutdown hooks run
            child.waitFor();
        }
        assertThat(java.nio.file.Files.readString(err))
                .contains("labloop: stopped by a signal; what was recorded stays in the store: labloop status ")
                .containsPattern("labloop resume [a-z0-9-]+ --data " + java.util.regex.Pattern.quote(data.toString())
                        + " continues them");
    }

    /** The command that runs the pair in a child JVM on this test's class path. */
    private static List<String> pair(Path data) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(
                List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        // SQLite's library where the build unpacked it, so the killed child leaves no copy of its own behind.
        for (String property : List.of("org.sqlite.lib.path", "org.sqlite.lib.name")) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        cmd.addAll(
                List.of(Main.class.getName(), "run", URGENT, BACKGROUND, "--data", data.toString(), "--no-progress"));
        return cmd;
    }

    private static List<CampaignState> states(Path data) {
        try (EventLog log = Lab.openExisting(data)) {
            return log.campaignIds().stream().map(id -> Lab.load(log, id)).toList();
        }
    }

    @Test
    void resumeWithoutAnId_bringsBackBothCampaignsThatSharedTheWorkcell() throws Exception {
        Path data = tmp.resolve("data");
        runAndKill(data, 120);
        assertThat(states(data))
                .as("killed mid-run")
                .hasSize(2)
                .allSatisfy(s -> assertThat(s.status().finished()).isFalse());

        CliTest.Result r = CliTest.labloop("resume", "--data", data.toString(), "--no-progress");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("they resume together");
        assertThat(states(data))
                .allSatisfy(s -> assertThat(s.status()).isEqualTo(CampaignStatus.COMPLETED))
                .allSatisfy(s -> assertThat(s.experiments()).hasSize(20));
    }

    @Test
    void runningTheFilesAgain_afterOneCampaignFinished_resumesTheOther_andDoesNotStartTheFinishedOneAnew()
            throws Exception {
        Path data = tmp.resolve("data");
        // The urgent campaign goes first and ends hours (of lab time) before the background one.
        runAndKillWhen(data, () -> {
            try (EventLog log = Lab.openReadOnly(data, false)) {
                return log.campaignIds().stream()
                        .map(id -> Lab.load(log, id))
                        .anyMatch(s -> s.id().startsWith("snar-urgent") && s.status() == CampaignStatus.COMPLETED);
            } catch (RuntimeException e) {
                return false; // the store is still being created
            }
        });
        assertThat(states(data))
                .extracting(CampaignState::status)
                .containsExactly(CampaignStatus.COMPLETED, CampaignStatus.RUNNING);
        // Run the files again and kill that run too: the background campaign restarts alone, and must still know
        // its finished partner the next time.
        long before;
        try (LogProgress progress = new LogProgress(new org.labloop.store.StoreLocation.Directory(data))) {
            before = progress.events();
        }
        runAndKill(data, before + 20);
        assertThat(states(data)).hasSize(2);

        CliTest.Result r = CliTest.labloop("run", URGENT, BACKGROUND, "--data", data.toString(), "--no-progress");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("has already finished; the others resume without it");
        assertThat(states(data))
                .hasSize(2)
                .allSatisfy(s -> assertThat(s.status()).isEqualTo(CampaignStatus.COMPLETED));
        // The same datasets, times and devices included, as an uninterrupted run: the resumed campaign's clock went
        // on from its finished partner's last event, not its own, so it did not take devices the partner still held.
        Path reference = tmp.resolve("reference");
        assertThat(CliTest.labloop("run", URGENT, BACKGROUND, "--data", reference.toString(), "--no-progress")
                        .code())
                .isZero();
        assertThat(datasets(data)).isEqualTo(datasets(reference));
    }

    private static List<List<List<String>>> datasets(Path data) {
        org.labloop.lab.Lab lab = new org.labloop.lab.Lab();
        try (EventLog log = Lab.openExisting(data)) {
            return log.campaignIds().stream()
                    .map(id -> Lab.load(log, id))
                    .map(s -> org.labloop.data.Dataset.of(s, lab.specOf(s)).cells())
                    .toList();
        }
    }

    @Test
    void campaignsOnWorkcellsThatDiffer_areRefusedBeforeAnythingRuns_sayingWhereTheyDiffer() throws Exception {
        // A copy of the workcell under the same name, but with a 2-position reactor.
        Path dir = tmp.resolve("other");
        java.nio.file.Files.createDirectories(dir);
        String workcell = java.nio.file.Files.readString(Path.of("examples/snar/workcell.yaml"));
        assertThat(workcell).contains("capacity: 8");
        java.nio.file.Files.writeString(dir.resolve("workcell.yaml"), workcell.replace("capacity: 8", "capacity: 2"));
        java.nio.file.Files.copy(Path.of("examples/snar/protocol.yaml"), dir.resolve("protocol.yaml"));
        String background = java.nio.file.Files.readString(Path.of(BACKGROUND));
        assertThat(background).contains("../snar/workcell.yaml").contains("../snar/protocol.yaml");
        Path other = dir.resolve("background.yaml");
        java.nio.file.Files.writeString(
                other,
                background
                        .replace("../snar/workcell.yaml", "workcell.yaml")
                        .replace("../snar/protocol.yaml", "protocol.yaml"));
        Path data = tmp.resolve("data");

        for (String command : List.of("run", "chaos")) {
            CliTest.Result r = command.equals("run")
                    ? CliTest.labloop("run", URGENT, other.toString(), "--data", data.toString())
                    : CliTest.labloop("chaos", "--campaign", URGENT, other.toString(), "--work", data.toString());
            assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
            assertThat(r.err())
                    .as(command)
                    .contains("differs from the workcell of the same name")
                    .contains("device 'reactor' differs: capacity 8 against 2")
                    .contains("describe the same devices");
        }
        assertThat(java.nio.file.Files.exists(data.resolve("labloop.db"))).isFalse();
        assertThat(java.nio.file.Files.exists(data.resolve("reference"))).isFalse();
    }

    @Test
    void aPartnerPausedByAnOperator_isNotResumedWithoutBeingNamed() throws Exception {
        Path data = tmp.resolve("data");
        runAndKill(data, 120);
        String background = states(data).stream()
                .filter(s -> s.id().startsWith("snar-background"))
                .findFirst()
                .orElseThrow()
                .id();
        CliTest.Result pause =
                CliTest.labloop("pause", background, "--reason", "column change", "--data", data.toString());
        assertThat(pause.code()).as(pause.err()).isZero();

        CliTest.Result unnamed = CliTest.labloop("resume", "--data", data.toString(), "--no-progress");
        assertThat(unnamed.code()).isEqualTo(2);
        assertThat(unnamed.err())
                .contains(background + " was paused by an operator")
                .contains("labloop resume " + background);

        CliTest.Result named = CliTest.labloop("resume", background, "--data", data.toString(), "--no-progress");
        assertThat(named.code()).as(named.out() + named.err()).isZero();
        assertThat(states(data)).allSatisfy(s -> assertThat(s.status()).isEqualTo(CampaignStatus.COMPLETED));
    }
}
