package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;

/** pause, resume and abort from another "terminal" while a campaign runs, as an operator would use them. */
class OperatorCommandsTest {
    @TempDir
    Path tmp;

    /** Waits until the store's first campaign has status {@code want}. */
    static void awaitStatus(org.labloop.store.StoreLocation where, CampaignStatus want) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            try (EventLog log = Lab.openReadOnly(where, true)) {
                if (!log.campaignIds().isEmpty()
                        && Lab.load(log, log.campaignIds().get(0)).status() == want) {
                    return;
                }
            } catch (RuntimeException e) {
                // the store may not exist yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("campaign never became " + want);
    }

    private static void awaitStatus(Path data, CampaignStatus want) throws InterruptedException {
        awaitStatus(new org.labloop.store.StoreLocation.Directory(data), want);
    }

    @Test
    void pauseResumeAndAbort_fromAnotherCommand_reachTheRunningEngine_andAreRecordedWithWhoAndWhy() throws Exception {
        Path campaign = org.labloop.lab.ExampleCopies.snar(tmp.resolve("campaign"), 400);
        Path data = tmp.resolve("data");
        CompletableFuture<CliTest.Result> run = CompletableFuture.supplyAsync(
                () -> CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress"));
        awaitStatus(data, CampaignStatus.RUNNING);

        CliTest.Result pause =
                CliTest.labloop("pause", "snar-demo-1", "--reason", "refill pyrrolidine", "--data", data.toString());
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).contains("Sent to the engine");
        awaitStatus(data, CampaignStatus.PAUSED);

        CliTest.Result resume =
                CliTest.labloop("resume", "snar-demo-1", "--reason", "refilled", "--data", data.toString());
        assertThat(resume.code()).as(resume.err()).isZero();
        awaitStatus(data, CampaignStatus.RUNNING);

        CliTest.Result abort =
                CliTest.labloop("abort", "snar-demo-1", "--reason", "column leak", "--data", data.toString());
        assertThat(abort.code()).as(abort.err()).isZero();
        CliTest.Result ended = run.get(60, TimeUnit.SECONDS);
        assertThat(ended.code()).as("an aborted run exits 6; " + ended.err()).isEqualTo(6);
        assertThat(ended.out()).contains("aborted: column leak");

        try (EventLog log = Lab.openExisting(data)) {
            CampaignState state = Lab.load(log, "snar-demo-1");
            assertThat(state.status()).isEqualTo(CampaignStatus.ABORTED);
            assertThat(state.endReason()).contains("column leak");
            assertThat(state.experiments().size()).isLessThan(400);
            List<Event> events = log.readAll("snar-demo-1");
            String user = "user:" + System.getProperty("user.name");
            assertThat(events).anySatisfy(e -> {
                assertThat(e.body()).isEqualTo(new EventBody.CampaignPaused("refill pyrrolidine", false));
                assertThat(e.actor()).isEqualTo(user);
            });
            assertThat(events)
                    .anySatisfy(e -> assertThat(e.body()).isEqualTo(new EventBody.CampaignResumed("refilled")));
            assertThat(events.get(events.size() - 1).body()).isEqualTo(new EventBody.CampaignAborted("column leak"));
        }
    }

    @Test
    void operatorCommands_onAFinishedCampaign_failWithExit2AndSayWhy() throws Exception {
        Path data = tmp.resolve("data");
        CliTest.Result run =
                CliTest.labloop("run", "examples/snar/campaign.yaml", "--data", data.toString(), "--no-progress");
        assertThat(run.code()).isZero();
        CliTest.Result finished = CliTest.labloop("pause", "snar-demo-1", "--data", data.toString());
        assertThat(finished.code()).isEqualTo(2);
        assertThat(finished.err()).contains("already completed");

        CliTest.Result noSuch = CliTest.labloop("ack", "snar-demo-1", "R1", "--data", data.toString());
        assertThat(noSuch.code()).isEqualTo(2);
    }

    /** The same command run twice in this process, both let go at the same moment. */
    private static List<CliTest.Result> twiceAtOnce(String... args) throws Exception {
        java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
        java.util.function.Supplier<CliTest.Result> run = () -> {
            try {
                go.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return CliTest.labloop(args);
        };
        var first = CompletableFuture.supplyAsync(run);
        var second = CompletableFuture.supplyAsync(run);
        return List.of(first.get(180, TimeUnit.SECONDS), second.get(180, TimeUnit.SECONDS));
    }

    @Test
    void twoRunsOfTheSameNewFiles_startedTogether_startOneCampaign_andTheOtherIsRefused() throws Exception {
        Path data = tmp.resolve("together");
        String[] args = {
            "run", "examples/snar/campaign.yaml", "--data", data.toString(), "--no-progress", "--pace", "3000"
        };
        List<CliTest.Result> results = twiceAtOnce(args);

        assertThat(results)
                .as(results.get(0).err() + results.get(1).err())
                .extracting(CliTest.Result::code)
                .containsExactlyInAnyOrder(0, 5);
        assertThat(results)
                .filteredOn(r -> r.code() == 5)
                .singleElement()
                .satisfies(r -> assertThat(r.err()).contains("snar-demo-1 is being run by another process"));
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            assertThat(store.log().campaignIds()).containsExactly("snar-demo-1");
        }
    }

    @Test
    void twoRunsOfTheSameSharedFiles_startedTogether_startOneGroup_andTheOtherIsRefused() throws Exception {
        Path data = tmp.resolve("together-shared");
        String[] args = {
            "run",
            "examples/snar-shared/urgent.yaml",
            "examples/snar-shared/background.yaml",
            "--data",
            data.toString(),
            "--no-progress"
        };
        List<CliTest.Result> results = twiceAtOnce(args);

        assertThat(results)
                .as(results.get(0).err() + results.get(1).err())
                .extracting(CliTest.Result::code)
                .containsExactlyInAnyOrder(0, 5);
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            assertThat(store.log().campaignIds()).hasSize(2);
        }
    }

    @Test
    void reasonsAndNotes_onMoreThanOneLineOrWithHiddenCharacters_areRefusedBeforeTheStoreIsOpened() {
        Path data = tmp.resolve("none");
        for (String[] args : new String[][] {
            {"pause", "c-1", "--reason", "refill\nthen go", "holds a line break"},
            {"abort", "c-1", "--reason", "lot \u202Ebad", "holds a line break"},
            // Stripping takes only the ends: a control character inside stays and is refused.
            {"abort", "c-1", "--reason", "wrong\u001Flot\n", "holds a line break"},
            {"ack", "c-1", "R1", "--note", "sn\u200Bar", "holds a line break"},
            {"resume", "c-1", "--reason", "x".repeat(2001), "is longer than 2000 characters"},
            {"abort", "c-1", "--reason", " ", "--reason: is empty"}
        }) {
            String[] command = java.util.Arrays.copyOf(args, args.length - 1);
            CliTest.Result r = CliTest.labloop(java.util.stream.Stream.concat(
                            java.util.Arrays.stream(command), java.util.stream.Stream.of("--data", data.toString()))
                    .toArray(String[]::new));
            assertThat(r.code()).as(args[0]).isEqualTo(2);
            assertThat(r.err()).as(args[0]).contains(args[args.length - 1]);
            assertThat(r.err()).as(args[0]).doesNotContain("\u202E", "\u001F");
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void pausedCampaign_withNoEngine_isRecordedAtOnce_runRefusesIt_andResumeRunsItToTheEnd() throws Exception {
        Path data = tmp.resolve("data");
        Path file = Path.of("examples/snar/campaign.yaml");
        org.labloop.lab.CampaignRunner runner = new org.labloop.lab.CampaignRunner(new Lab());
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            runner.create(runner.prepare(file, null), store.log(), "user:test");
        }
        CliTest.Result pause = CliTest.labloop(
                "pause", "snar-demo-1", "--reason", "wait for the new column", "--data", data.toString());
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).contains("paused");
        long events;
        try (EventLog log = Lab.openExisting(data)) {
            events = Lab.load(log, "snar-demo-1").lastSeq();
        }
        // The export says when the person really paused it: the campaign's own times are virtual.
        com.fasterxml.jackson.databind.JsonNode export = org.labloop.event.EventCodec.mapper()
                .readTree(CliTest.labloop("export", "--format", "json", "--data", data.toString())
                        .out());
        com.fasterxml.jackson.databind.JsonNode paused = null;
        for (com.fasterxml.jackson.databind.JsonNode a : export.get("operator_actions")) {
            if (a.get("type").asText().equals("CampaignPaused")) {
                paused = a;
            }
        }
        assertThat(paused).as(export.toString()).isNotNull();
        assertThat(paused.get("actor").asText()).startsWith("user:");
        java.time.Instant pausedAt =
                java.time.Instant.parse(paused.get("recorded_at").asText());
        assertThat(pausedAt).isAfter(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(java.time.Instant.parse(export.get("recorded_to").asText())).isEqualTo(pausedAt);
        assertThat(java.time.Instant.parse(export.get("recorded_from").asText()))
                .isBeforeOrEqualTo(pausedAt);

        CliTest.Result again = CliTest.labloop("pause", "snar-demo-1", "--data", data.toString());
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("is already paused", "nothing sent", "labloop resume snar-demo-1");
        try (EventLog log = Lab.openExisting(data)) {
            assertThat(Lab.load(log, "snar-demo-1").lastSeq()).isEqualTo(events);
        }

        CliTest.Result run = CliTest.labloop("run", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("paused").contains("labloop resume snar-demo-1");

        CliTest.Result resume = CliTest.labloop("resume", "snar-demo-1", "--data", data.toString(), "--no-progress");
        assertThat(resume.code()).as(resume.err()).isZero();
        try (EventLog log = Lab.openExisting(data)) {
            CampaignState state = Lab.load(log, "snar-demo-1");
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.experiments()).hasSize(40);
        }
    }

    @Test
    void resume_ofACampaignNeverStarted_whileAnotherOnItsWorkcellIsToo_isRefusedUnlessAlone() {
        Path data = tmp.resolve("data");
        org.labloop.lab.CampaignRunner runner = new org.labloop.lab.CampaignRunner(new Lab());
        String urgent;
        String background;
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            // As a run of both files killed after creating them and before starting them leaves them.
            urgent = runner.create(
                    runner.prepare(Path.of("examples/snar-shared/urgent.yaml"), null), store.log(), "user:test");
            background = runner.create(
                    runner.prepare(Path.of("examples/snar-shared/background.yaml"), null), store.log(), "user:test");
        }
        CliTest.Result refused = CliTest.labloop("resume", urgent, "--data", data.toString(), "--no-progress");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err())
                .contains(urgent + ": was created but never started, as was " + background)
                .contains("labloop run A.yaml B.yaml")
                .contains("--alone");

        CliTest.Result alone = CliTest.labloop("resume", urgent, "--alone", "--data", data.toString(), "--no-progress");
        assertThat(alone.code()).as(alone.err()).isZero();
        try (EventLog log = Lab.openExisting(data)) {
            assertThat(Lab.load(log, urgent).status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(Lab.load(log, background).startedAt()).isNull();
        }
    }

    /** Creates the campaign of {@code file} in {@code data} as a run that was killed after its start leaves it. */
    private static String interrupted(Path file, Path data) {
        org.labloop.lab.CampaignRunner runner = new org.labloop.lab.CampaignRunner(new Lab());
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            String id = runner.create(runner.prepare(file, null), store.log(), "user:test");
            store.log()
                    .append(
                            id,
                            org.labloop.lab.CampaignRunner.VIRTUAL_START,
                            "engine",
                            new EventBody.CampaignStarted("virtual"));
            return id;
        }
    }

    @Test
    void anAbortAnEngineDidNotTakeBeforeItWasKilled_isRecordedWhenTheCampaignResumes() {
        Path file = org.labloop.lab.ExampleCopies.snar(tmp.resolve("aborted"), 6);
        Path data = tmp.resolve("aborted-data");
        // An engine started it; a person's abort reached the inbox; the engine was killed before taking it.
        String id = interrupted(file, data);
        try (org.labloop.store.ControlInbox inbox = org.labloop.store.ControlInbox.open(data)) {
            inbox.submit(id, "abort", "user:alice", "wrong reagent lot", false);
        }

        CliTest.Result r = CliTest.labloop("resume", id, "--data", data.toString(), "--no-progress");

        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(6);
        try (EventLog log = Lab.openExisting(data)) {
            CampaignState s = Lab.load(log, id);
            assertThat(s.status()).isEqualTo(CampaignStatus.ABORTED);
            assertThat(s.endReason()).contains("wrong reagent lot");
            assertThat(log.readAll(id))
                    .filteredOn(e -> e.body() instanceof EventBody.CampaignAborted)
                    .singleElement()
                    .extracting(Event::actor)
                    .isEqualTo("user:alice");
            assertThat(s.experiments())
                    .as("the abort lands before anything is proposed or started")
                    .isEmpty();
        }
        try (org.labloop.store.ControlInbox inbox = org.labloop.store.ControlInbox.open(data)) {
            assertThat(inbox.open(id)).as("done once recorded").isEmpty();
        }
    }

    @Test
    void status_showsARunningCampaignThatNoProcessDrives_asInterrupted_andOneThatIsDriven_asRunning() {
        Path data = tmp.resolve("data");
        // An engine started it and was killed: the log says running, no process holds the campaign.
        interrupted(Path.of("examples/snar/campaign.yaml"), data);
        CliTest.Result killed = CliTest.labloop("status", "--data", data.toString());
        assertThat(killed.code()).as(killed.err()).isZero();
        assertThat(killed.out()).contains("snar-demo-1").contains("interrupted");
        CliTest.Result one = CliTest.labloop("status", "snar-demo-1", "--data", data.toString());
        assertThat(one.out())
                .contains("Campaign snar-demo-1 (snar-demo): interrupted")
                .doesNotContain("): running")
                .contains("not running")
                .contains("'labloop resume snar-demo-1 --data " + data + "' continues it");

        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            org.labloop.lab.LabStore.EngineLock held = store.lock("snar-demo-1"); // as a live engine holds it
            try {
                CliTest.Result driven = CliTest.labloop("status", "--data", data.toString());
                assertThat(driven.out()).contains("running").doesNotContain("interrupted");
            } finally {
                held.close();
            }
        }
    }

    @Test
    void runOfTheFilesOfACampaignAnotherProcessDrives_isRefusedBeforeSayingItResumes() throws Exception {
        Path file = org.labloop.lab.ExampleCopies.snar(tmp.resolve("held"), 3);
        Path data = tmp.resolve("held-data");
        org.labloop.lab.CampaignRunner runner = new org.labloop.lab.CampaignRunner(new Lab());
        try (org.labloop.lab.LabStore store = org.labloop.lab.LabStore.open(data)) {
            String id = runner.create(runner.prepare(file, null), store.log(), "test");
            org.labloop.lab.LabStore.EngineLock held = store.lock(id); // as a live engine holds it
            try {
                CliTest.Result r = CliTest.labloop("run", file.toString(), "--data", data.toString());
                assertThat(r.code()).isEqualTo(5);
                assertThat(r.err()).contains("campaign " + id + " is being run by another process");
                assertThat(r.out()).doesNotContain("Resuming", "Running campaign");
            } finally {
                held.close();
            }
        }
    }

    @Test
    void operatorRequest_isListedByStatus_andAckFromAnotherCommandRetriesTheStepAndResumes() throws Exception {
        Path dir = tmp.resolve("asks");
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("campaign.yaml"),
                Files.readString(Path.of("examples/snar/campaign.yaml"))
                        .replace("budget: 40", "budget: 8")
                        .replace(
                                "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}",
                                "planner: {type: sobol}"));
        Files.writeString(
                dir.resolve("workcell.yaml"),
                Files.readString(Path.of("examples/snar/workcell.yaml"))
                        .replace(
                                "        analyse: {mean: 6.0, sd: 0.3}",
                                "        analyse: {mean: 6.0, sd: 0.3}\n" + "      options: {failure_rate: 0.5}"));
        Files.writeString(
                dir.resolve("protocol.yaml"),
                Files.readString(Path.of("examples/snar/protocol.yaml"))
                        .replace("    measures: true", "    measures: true\n    on_failure: {then: pause}"));
        Path data = tmp.resolve("data");
        CompletableFuture<CliTest.Result> run = CompletableFuture.supplyAsync(() -> CliTest.labloop(
                "run", dir.resolve("campaign.yaml").toString(), "--data", data.toString(), "--no-progress"));
        int acks = 0;
        while (!run.isDone() && acks < 50) {
            String request = null;
            try (EventLog log = Lab.openExisting(data)) {
                if (!log.campaignIds().isEmpty()) {
                    var open = Lab.load(log, "snar-demo-1").openRequests();
                    request = open.isEmpty() ? null : open.keySet().iterator().next();
                }
            } catch (RuntimeException e) {
                // not created yet
            }
            if (request != null) {
                CliTest.Result status = CliTest.labloop("status", "snar-demo-1", "--data", data.toString());
                assertThat(status.out()).contains("OPERATOR REQUEST " + request).contains("paused by     engine");
                CliTest.Result ack = CliTest.labloop(
                        "ack", "snar-demo-1", request, "--note", "reseated the column", "--data", data.toString());
                assertThat(ack.code()).as(ack.err()).isZero();
                acks++;
                while (!run.isDone()) {
                    try (EventLog log = Lab.openExisting(data)) {
                        if (!Lab.load(log, "snar-demo-1").openRequests().containsKey(request)) {
                            break;
                        }
                    }
                    Thread.sleep(50);
                }
            }
            Thread.sleep(50);
        }
        CliTest.Result ended = run.get(60, TimeUnit.SECONDS);
        assertThat(ended.code()).as(ended.err()).isZero();
        assertThat(acks).isPositive();
        try (EventLog log = Lab.openExisting(data)) {
            CampaignState state = Lab.load(log, "snar-demo-1");
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.count(org.labloop.campaign.ExperimentStatus.COMPLETED))
                    .isEqualTo(8);
            assertThat(log.readAll("snar-demo-1"))
                    .filteredOn(e -> e.body() instanceof EventBody.OperatorAcknowledged)
                    .hasSize(acks)
                    .allSatisfy(e -> assertThat(e.actor()).startsWith("user:"));
        }
    }

    @Test
    void pacedRun_recordsTheSameDataAsARunAtFullSpeed() throws Exception {
        String campaign =
                org.labloop.lab.ExampleCopies.snar(tmp.resolve("paced"), 8).toString();
        Path fast = tmp.resolve("fast");
        Path paced = tmp.resolve("paced-data");
        assertThat(CliTest.labloop("run", campaign, "--data", fast.toString(), "--no-progress")
                        .code())
                .isZero();
        CliTest.Result slow =
                CliTest.labloop("run", campaign, "--data", paced.toString(), "--no-progress", "--pace", "3000");
        assertThat(slow.code()).as(slow.err()).isZero();
        assertThat(slow.out()).contains("3000 virtual s per s");

        String fastCsv = CliTest.labloop("export", "--data", fast.toString()).out();
        assertThat(fastCsv.lines().count()).isEqualTo(9);
        assertThat(CliTest.labloop("export", "--data", paced.toString()).out()).isEqualTo(fastCsv);
        assertThat(CliTest.labloop(
                                "run",
                                campaign,
                                "--pace",
                                "fast",
                                "--data",
                                tmp.resolve("x").toString())
                        .code())
                .isEqualTo(2);
    }

    @Test
    void pacedRun_isPausedAndResumedFromAnotherCommand() throws Exception {
        String campaign =
                org.labloop.lab.ExampleCopies.snar(tmp.resolve("paced"), 8).toString();
        Path data = tmp.resolve("paced-data");
        CompletableFuture<CliTest.Result> run = CompletableFuture.supplyAsync(
                () -> CliTest.labloop("run", campaign, "--data", data.toString(), "--no-progress", "--pace", "1500"));
        awaitStatus(data, CampaignStatus.RUNNING);
        assertThat(CliTest.labloop("pause", "snar-demo-1", "--data", data.toString())
                        .code())
                .isZero();
        awaitStatus(data, CampaignStatus.PAUSED);
        assertThat(run).isNotDone();
        assertThat(CliTest.labloop("resume", "snar-demo-1", "--data", data.toString())
                        .code())
                .isZero();
        CliTest.Result ended = run.get(120, TimeUnit.SECONDS);
        assertThat(ended.code()).as(ended.err()).isZero();
        assertThat(ended.out())
                .contains("Paused by user:")
                .as("the command to continue names this store")
                .contains("resume snar-demo-1 --data " + data + " (from another terminal)")
                .contains("Resumed by user:")
                .contains("completed - budget of 8 experiments spent");
    }
}
