package org.labloop.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.StepRecord;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.protocol.FailurePolicy;
import org.labloop.protocol.StepSpec;
import org.labloop.store.SqliteEventLog;

/** Injected device faults against per-step failure policies. */
class FaultPolicyTest {
    @TempDir
    Path dir;

    private static StepSpec analyse(Optional<Duration> timeout, boolean retryable, FailurePolicy policy) {
        return new StepSpec("analyse", "analyse", Map.of(), Optional.empty(), true, timeout, retryable, policy);
    }

    private CampaignState run(Map<String, Object> hplc, StepSpec analyse, int analysers) {
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("d" + System.nanoTime()))) {
            return SnarLab.run(log, SnarLab.spec(12, 3, 17, hplc, analyse, analysers));
        }
    }

    @Test
    void retryWithBackoff_recoversFromTransientFaults_andWaitsLongerEachTime() {
        FailurePolicy policy = new FailurePolicy(3, Duration.ofMinutes(2), FailurePolicy.Then.FAIL);
        CampaignState state = run(Map.of("failure_rate", 0.4), analyse(Optional.empty(), true, policy), 1);

        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        List<ExperimentState> retried = state.experiments().values().stream()
                .filter(x -> x.steps().stream()
                                .filter(s -> s.name().equals("analyse"))
                                .count()
                        > 1)
                .toList();
        assertThat(retried).isNotEmpty();
        for (ExperimentState x : retried) {
            List<StepRecord> tries =
                    x.steps().stream().filter(s -> s.name().equals("analyse")).toList();
            assertThat(tries.size()).isLessThanOrEqualTo(4);
            for (int i = 1; i < tries.size(); i++) {
                Duration gap = Duration.between(
                        Instant.parse(tries.get(i - 1).endedAt()),
                        Instant.parse(tries.get(i).startedAt()));
                assertThat(gap).isGreaterThanOrEqualTo(policy.backoffBefore(i));
            }
        }
        // More experiments complete than without retries at the same fault rate.
        CampaignState noRetry =
                run(Map.of("failure_rate", 0.4), analyse(Optional.empty(), true, FailurePolicy.FAIL), 1);
        assertThat(state.count(ExperimentStatus.COMPLETED)).isGreaterThan(noRetry.count(ExperimentStatus.COMPLETED));
    }

    @Test
    void otherDevice_movesAFailedStepToAnotherAnalyser() {
        FailurePolicy policy = new FailurePolicy(0, Duration.ZERO, FailurePolicy.Then.OTHER_DEVICE);
        CampaignState state = run(Map.of("failure_rate", 1.0), analyse(Optional.empty(), true, policy), 2);

        assertThat(state.count(ExperimentStatus.COMPLETED)).isEqualTo(12);
        for (ExperimentState x : state.experiments().values()) {
            StepRecord last = x.steps().get(x.steps().size() - 1);
            assertThat(last.device()).isEqualTo("hplc2");
            assertThat(last.status()).isEqualTo("completed");
        }
    }

    @Test
    void hungDevice_isCaughtByTheStepTimeout_andNeverLeavesTheCampaignStuck() {
        FailurePolicy policy = new FailurePolicy(1, Duration.ZERO, FailurePolicy.Then.FAIL);
        CampaignState state =
                run(Map.of("hang_rate", 0.3), analyse(Optional.of(Duration.ofMinutes(30)), true, policy), 1);

        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        List<StepRecord> timedOut = state.experiments().values().stream()
                .flatMap(x -> x.steps().stream())
                .filter(s -> s.failure() != null && s.failure().contains("timeout"))
                .toList();
        assertThat(timedOut).isNotEmpty();
        for (StepRecord s : timedOut) {
            assertThat(Duration.between(Instant.parse(s.startedAt()), Instant.parse(s.endedAt())))
                    .isEqualTo(Duration.ofMinutes(30));
        }
    }

    @Test
    void implausibleReadings_areRejected_neverRecordedAsMeasurements() {
        CampaignState state =
                run(Map.of("implausible_rate", 0.5), analyse(Optional.empty(), true, FailurePolicy.FAIL), 1);
        assertThat(state.count(ExperimentStatus.FAILED)).isPositive();
        assertThat(state.experiments().values())
                .filteredOn(x -> x.status() == ExperimentStatus.FAILED)
                .allSatisfy(x -> {
                    assertThat(x.failure()).contains("implausible reading");
                    assertThat(x.measurements()).isEmpty();
                });
        assertThat(state.experiments().values())
                .flatMap(x -> x.measurements().values())
                .allSatisfy(m -> assertThat(m.value()).isFinite());
    }

    @Test
    void disconnect_failsTheStepsSentWhileOffLine_andTheDeviceComesBack() {
        CampaignState state = run(
                Map.of("disconnect_rate", 0.2, "disconnect_min", 10.0),
                analyse(Optional.empty(), true, new FailurePolicy(5, Duration.ofMinutes(4), FailurePolicy.Then.FAIL)),
                1);
        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        assertThat(state.experiments().values())
                .flatMap(ExperimentState::steps)
                .anyMatch(s -> s.failure() != null && s.failure().contains("disconnected"));
        assertThat(state.count(ExperimentStatus.COMPLETED)).isPositive();
    }

    @Test
    void pausePolicy_raisesAnOperatorRequest_pausesTheCampaign_andAckRetriesAndResumes() {
        FailurePolicy policy = new FailurePolicy(0, Duration.ZERO, FailurePolicy.Then.PAUSE);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            AtomicReference<Engine> ref = new AtomicReference<>();
            Engine engine = SnarLab.engine(
                    log,
                    SnarLab.spec(6, 2, 4, Map.of("failure_rate", 0.3), analyse(Optional.empty(), true, policy), 1),
                    (event, state) -> {
                        if (event.body() instanceof EventBody.OperatorRequested r) {
                            String id = r.requestId();
                            Thread t = new Thread(() -> ref.get().acknowledge("user:ana", id, "reseated the column"));
                            t.setDaemon(true);
                            t.start();
                        }
                    });
            ref.set(engine);
            CampaignState state = engine.run();

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.openRequests()).isEmpty();
            List<Event> events = log.readAll(state.id());
            long requests = events.stream()
                    .filter(e -> e.body() instanceof EventBody.OperatorRequested)
                    .count();
            assertThat(requests).isPositive();
            assertThat(events)
                    .filteredOn(e -> e.body() instanceof EventBody.OperatorAcknowledged)
                    .hasSize((int) requests)
                    .allSatisfy(e -> assertThat(e.actor()).isEqualTo("user:ana"));
            assertThat(events)
                    .anyMatch(e -> e.body() instanceof EventBody.CampaignPaused
                            && e.actor().equals("engine"));
            assertThat(state.count(ExperimentStatus.COMPLETED)).isEqualTo(6);
        }
    }

    @Test
    void notRetryableStep_withPausePolicy_failsItsExperimentOnceAcknowledged() {
        FailurePolicy policy = new FailurePolicy(0, Duration.ZERO, FailurePolicy.Then.PAUSE);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            AtomicReference<Engine> ref = new AtomicReference<>();
            Engine engine = SnarLab.engine(
                    log,
                    SnarLab.spec(4, 2, 8, Map.of("failure_rate", 0.5), analyse(Optional.empty(), false, policy), 1),
                    (event, state) -> {
                        if (event.body() instanceof EventBody.OperatorRequested r) {
                            String id = r.requestId();
                            Thread t = new Thread(() -> ref.get().acknowledge("user:ana", id, "sample discarded"));
                            t.setDaemon(true);
                            t.start();
                        }
                    });
            ref.set(engine);
            CampaignState state = engine.run();
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.experiments().values())
                    .filteredOn(x -> x.status() == ExperimentStatus.FAILED)
                    .isNotEmpty()
                    .allSatisfy(x ->
                            assertThat(x.failure()).contains("cannot be re-run").contains("user:ana"));
        }
    }
    /** An analyser that fails every step, and a campaign that pauses after {@code limit} failures in a row. */
    private Engine brokenAnalyser(SqliteEventLog log, int budget, int limit, EngineListener listener) {
        return SnarLab.engine(
                log,
                SnarLab.spec(
                                budget,
                                2,
                                5,
                                Map.of("failure_rate", 1.0),
                                analyse(Optional.empty(), true, FailurePolicy.FAIL),
                                1)
                        .withPauseAfterFailures(limit),
                listener);
    }

    @Test
    void failuresInARow_pauseTheCampaignWithARequest_andEachAckAllowsAsManyMore() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            AtomicReference<Engine> ref = new AtomicReference<>();
            List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            Engine engine = brokenAnalyser(log, 12, 3, (event, state) -> {
                if (event.body() instanceof EventBody.OperatorRequested r) {
                    asked.add(r.requestId());
                    // What the request says must be true when it is raised.
                    assertThat(state.failedInARow()).isGreaterThanOrEqualTo(3);
                    assertThat(r.message())
                            .contains("experiments failed in a row (pause_after_failures: 3)")
                            .contains("analyse failed on hplc")
                            .contains("labloop ack " + state.id() + " " + r.requestId());
                    Thread t = new Thread(() -> {
                        // Queued before the answer: a plain resume must not lift a pause made for a request.
                        ref.get().resume("user:bob", "looks fine to me");
                        ref.get().acknowledge("user:ana", r.requestId(), "new column");
                    });
                    t.setDaemon(true);
                    t.start();
                }
            });
            ref.set(engine);
            CampaignState state = engine.run();

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.count(ExperimentStatus.FAILED)).isEqualTo(12);
            assertThat(state.openRequests()).isEmpty();
            List<Event> events = log.readAll(state.id());
            // Between two requests (and before the first) at most 3 failures plus the 2 already in the lab: no
            // proposal is made while the campaign waits.
            int failedSinceAnswer = 0;
            boolean waiting = false;
            for (Event e : events) {
                switch (e.body()) {
                    case EventBody.ExperimentFailed f -> failedSinceAnswer++;
                    case EventBody.OperatorRequested r -> waiting = true;
                    case EventBody.OperatorAcknowledged a -> {
                        waiting = false;
                        failedSinceAnswer = 0;
                    }
                    case EventBody.ExperimentProposed p ->
                        assertThat(waiting)
                                .as("proposed while waiting for a person: " + p.experimentId())
                                .isFalse();
                    default -> {}
                }
                assertThat(failedSinceAnswer).isLessThanOrEqualTo(3 + 2);
            }
            assertThat(asked).isNotEmpty().doesNotHaveDuplicates();
            assertThat(events)
                    .filteredOn(e -> e.body() instanceof EventBody.CampaignPaused)
                    .hasSize(asked.size())
                    .allSatisfy(e -> assertThat(e.actor()).isEqualTo("engine"));
            assertThat(events)
                    .filteredOn(e -> e.body() instanceof EventBody.CampaignResumed)
                    .hasSize(asked.size())
                    .allSatisfy(e -> assertThat(e.actor()).isEqualTo("user:ana"));
        }
    }

    @Test
    void failuresInARow_withTheBudgetSpent_endTheCampaignInsteadOfPausingIt() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState state = brokenAnalyser(log, 4, 3, EngineListener.NONE).run();

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.count(ExperimentStatus.FAILED)).isEqualTo(4);
            assertThat(log.readAll(state.id())).noneMatch(e -> e.body() instanceof EventBody.OperatorRequested);
        }
    }

    @Test
    void failuresInARow_areFoldedFromTheLog_soAReloadedStateCountsTheSame() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState live = brokenAnalyser(log, 4, 0, EngineListener.NONE).run();
            assertThat(live.failedInARow()).isEqualTo(4);

            log.dropSnapshots();
            CampaignState replayed = CampaignState.load(log, live.id());
            assertThat(replayed.failedInARow()).isEqualTo(4);
            assertThat(replayed.lastFailed()).isEqualTo(live.lastFailed()).isNotNull();
        }
    }

    @Test
    void analysisRetriedAfterItsWindowClosed_isFlaggedInTheDataset_andOneOnTimeIsKept() {
        FailurePolicy policy = new FailurePolicy(3, Duration.ofMinutes(20), FailurePolicy.Then.FAIL);
        StepSpec analyse = new StepSpec(
                "analyse",
                "analyse",
                Map.of(),
                Optional.empty(),
                true,
                Optional.of(new org.labloop.protocol.TimeWindow("react", 0, 10)),
                Optional.empty(),
                true,
                policy);
        org.labloop.campaign.CampaignSpec spec = SnarLab.spec(12, 3, 17, Map.of("failure_rate", 0.4), analyse, 1);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState state = SnarLab.run(log, spec);
            org.labloop.data.Dataset dataset = org.labloop.data.Dataset.of(state, spec);

            assertThat(dataset.header()).contains("time_windows");
            int kept = 0;
            int missed = 0;
            for (ExperimentState x : state.experiments().values()) {
                long attempts = x.steps().stream()
                        .filter(st -> st.name().equals("analyse"))
                        .count();
                String windows = dataset.windows(x);
                if (attempts == 1) {
                    // Placed by the scheduler, which keeps every window it plans.
                    assertThat(windows).as(x.id()).isEqualTo("kept");
                    kept++;
                } else if (attempts > 1) {
                    // A retry waits 20 min after a failure that came after the reaction: past the 10 min window.
                    assertThat(windows)
                            .as(x.id())
                            .startsWith("missed: analyse ")
                            .endsWith(" after react (window 0 to 10 min)");
                    missed++;
                }
            }
            assertThat(kept).isPositive();
            assertThat(missed).isPositive();
            assertThat(dataset.windowsMissed()).isEqualTo(missed);
        }
    }
}
