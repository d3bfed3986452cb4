package org.labloop.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.data.Dataset;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.store.SqliteEventLog;
import org.labloop.store.StoredDeviceMemory;

/**
 * Kills the engine at the interesting points of an experiment's life (the process dies: no clean-up, timers lost),
 * starts a fresh engine on the same store and devices, and checks that nothing was lost or recorded twice and the
 * dataset equals that of a run that was never interrupted.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    /** Stands for SIGKILL: an Error nothing in LabLoop catches. */
    static final class Kill extends Error {
        private static final long serialVersionUID = 1L;
    }

    /** A real log that dies right before or right after committing the n-th matching event. */
    static class DyingLog implements EventLog {
        private final EventLog delegate;
        private final Predicate<EventBody> matches;
        private final int nth;
        private final boolean before;
        private final boolean forgetPositions;
        private int seen;

        DyingLog(EventLog delegate, Predicate<EventBody> matches, int nth, boolean before) {
            this(delegate, matches, nth, before, false);
        }

        /** With {@code forgetPositions}, starts are stored without their position, as a version before them wrote. */
        DyingLog(EventLog delegate, Predicate<EventBody> matches, int nth, boolean before, boolean forgetPositions) {
            this.delegate = delegate;
            this.matches = matches;
            this.nth = nth;
            this.before = before;
            this.forgetPositions = forgetPositions;
        }

        @Override
        public List<Event> appendAll(String id, Instant at, String actor, List<EventBody> bodies) {
            boolean dies = false;
            for (EventBody b : bodies) {
                if (matches.test(b) && ++seen == nth) {
                    dies = true;
                }
            }
            if (dies && before) {
                throw new Kill();
            }
            if (forgetPositions) {
                bodies = bodies.stream()
                        .map(b -> b instanceof EventBody.StepStarted st
                                ? new EventBody.StepStarted(
                                        st.experimentId(),
                                        st.step(),
                                        st.stepName(),
                                        st.capability(),
                                        st.device(),
                                        st.args(),
                                        st.plannedMillis(),
                                        st.idempotencyKey(),
                                        st.changeoverMillis(),
                                        null)
                                : b)
                        .toList();
            }
            List<Event> events = delegate.appendAll(id, at, actor, bodies);
            if (dies) {
                throw new Kill();
            }
            return events;
        }

        @Override
        public Event append(String id, Instant at, String actor, EventBody body) {
            return appendAll(id, at, actor, List.of(body)).get(0);
        }

        @Override
        public String newCampaignId(String name) {
            return delegate.newCampaignId(name);
        }

        @Override
        public List<Event> read(String id, long afterSeq) {
            return delegate.read(id, afterSeq);
        }

        @Override
        public List<String> campaignIds() {
            return delegate.campaignIds();
        }

        @Override
        public Optional<Event> last(String id) {
            return delegate.last(id);
        }

        @Override
        public void saveSnapshot(String id, long seq, String json) {
            delegate.saveSnapshot(id, seq, json);
        }

        @Override
        public Optional<Snapshot> snapshot(String id) {
            return delegate.snapshot(id);
        }

        @Override
        public void dropSnapshots() {
            delegate.dropSnapshots();
        }

        @Override
        public String location() {
            return delegate.location();
        }

        @Override
        public void close() {}
    }

    static Stream<Arguments> killPoints() {
        Predicate<EventBody> proposed = b -> b instanceof EventBody.ExperimentProposed;
        Predicate<EventBody> started = b -> b instanceof EventBody.StepStarted;
        Predicate<EventBody> measuringStepDone =
                b -> b instanceof EventBody.StepCompleted c && !c.outputs().isEmpty();
        Predicate<EventBody> measured = b -> b instanceof EventBody.MeasurementRecorded;
        Predicate<EventBody> done = b -> b instanceof EventBody.ExperimentCompleted;
        return Stream.of(
                Arguments.of("after a proposal", proposed, 5, false),
                Arguments.of("after a step started, before the device heard of it", started, 7, false),
                Arguments.of("before a step's start was committed", started, 9, true),
                Arguments.of("after the device finished, before the engine recorded it", measuringStepDone, 3, true),
                Arguments.of("after a step completed, before its measurements", measuringStepDone, 2, false),
                Arguments.of("between two measurements", measured, 5, false),
                Arguments.of("after the last measurement, before the experiment ended", measured, 8, false),
                Arguments.of("after an experiment completed", done, 4, false));
    }

    @ParameterizedTest(name = "kill {0}")
    @MethodSource("killPoints")
    void resume_afterKill_losesNothing_duplicatesNothing_andMatchesAnUninterruptedRun(
            String when, Predicate<EventBody> matches, int nth, boolean before) {
        CampaignSpec spec = SnarLab.spec(10, 4, 21, 0.1);
        List<List<String>> reference;
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("reference"))) {
            CampaignState state = SnarLab.run(log, spec);
            reference = Dataset.of(state, spec).cells();
        }

        Path data = dir.resolve("killed");
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            String id = SnarLab.create(log, spec);
            Engine first =
                    SnarLab.engine(new DyingLog(log, matches, nth, before), spec, id, devices, EngineListener.NONE);
            assertThatThrownBy(first::run).isInstanceOf(Kill.class);
        }
        CampaignState state;
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            state = SnarLab.engine(log, spec, "snar-test-1", devices, EngineListener.NONE)
                    .run();
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            List<Event> events = log.readAll(state.id());
            assertThat(ChainCheck.of(events).intact()).isTrue();
            Map<String, Integer> measurements = new HashMap<>();
            Map<String, Integer> endings = new HashMap<>();
            for (Event e : events) {
                if (e.body() instanceof EventBody.MeasurementRecorded m) {
                    measurements.merge(m.experimentId() + "/" + m.name(), 1, Integer::sum);
                }
                if (e.body() instanceof EventBody.StepCompleted c) {
                    endings.merge(c.experimentId() + "/" + c.step(), 1, Integer::sum);
                }
            }
            assertThat(measurements.values()).as("measurements recorded twice").allMatch(n -> n == 1);
            assertThat(endings.values()).as("steps completed twice").allMatch(n -> n == 1);
            assertThat(Dataset.of(state, spec).cells()).isEqualTo(reference);
        }
    }

    /** {@code spec} run to its end without interruption, in a store of its own. */
    private CampaignState uninterrupted(CampaignSpec spec) {
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("reference"))) {
            return SnarLab.run(log, spec);
        }
    }

    /**
     * {@code spec} run until its log kills the engine at the {@code nth} event that {@code matches} (before or after
     * committing it), then resumed to its end by a fresh engine, as a new process would.
     */
    private CampaignState killAndResume(CampaignSpec spec, Predicate<EventBody> matches, int nth, boolean before) {
        return killAndResume(spec, matches, nth, before, false);
    }

    /** As above; with {@code olderVersion}, the run before the kill stores its starts as a version without positions. */
    private CampaignState killAndResume(
            CampaignSpec spec, Predicate<EventBody> matches, int nth, boolean before, boolean olderVersion) {
        Path data = dir.resolve("killed");
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            String id = SnarLab.create(log, spec);
            Engine first = SnarLab.engine(
                    new DyingLog(log, matches, nth, before, olderVersion), spec, id, devices, EngineListener.NONE);
            assertThatThrownBy(first::run).isInstanceOf(Kill.class);
        }
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            return SnarLab.engine(log, spec, "snar-test-1", devices, EngineListener.NONE)
                    .run();
        }
    }

    @org.junit.jupiter.api.Test
    void resume_afterKillRightAfterTheGoalWasMet_proposesNothingMore_andEndsAsAnUninterruptedRun() {
        CampaignSpec plain = SnarLab.spec(24, 4, 7, 0);
        var tenth = uninterrupted(plain).experiments().values().stream()
                .skip(9)
                .findFirst()
                .orElseThrow();
        CampaignSpec targeted = SnarLab.withTargets(
                plain,
                tenth.measurements().get("sty").value(),
                tenth.measurements().get("e_factor").value());
        CampaignState reference;
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("targeted"))) {
            reference = SnarLab.run(log, targeted);
        }
        assertThat(reference.endReason()).startsWith("goal met: ");
        String goal = reference.endReason().substring("goal met: ".length(), "goal met: ".length() + 5);

        CampaignState resumed = killAndResume(
                targeted,
                b -> b instanceof EventBody.ExperimentCompleted c
                        && c.experimentId().equals(goal),
                1,
                false);

        assertThat(resumed.status()).isEqualTo(CampaignStatus.COMPLETED);
        assertThat(resumed.endReason()).isEqualTo(reference.endReason());
        assertThat(Dataset.of(resumed, targeted).cells())
                .isEqualTo(Dataset.of(reference, targeted).cells());
    }

    @ParameterizedTest(name = "kill after reaction start {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {3, 6, 9, 10, 11, 12})
    void resume_ofALogWrittenBeforePositionsWereRecorded_givesEveryRunningReactionAPositionPlanAndEngineAgreeOn(
            int nth) {
        // 20-minute reactions on the 8-position reactor, so that many run at once when the older version is killed.
        CampaignSpec s = SnarLab.spec(24, 8, 7, 0);
        List<org.labloop.protocol.StepSpec> steps =
                new java.util.ArrayList<>(s.protocol().steps());
        org.labloop.protocol.StepSpec r = steps.get(2);
        steps.set(
                2,
                new org.labloop.protocol.StepSpec(
                        r.name(),
                        r.capability(),
                        r.args(),
                        Optional.of(new org.labloop.protocol.Arg.Literal(20.0)),
                        r.measures()));
        CampaignSpec spec = SnarLab.variant(
                s, s.workcell(), new org.labloop.protocol.Protocol(s.protocol().name(), steps));
        Predicate<EventBody> reactionStarted = b -> b instanceof EventBody.StepStarted st && st.step() == 2;
        CampaignState state = killAndResume(spec, reactionStarted, nth, false, true);
        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        assertThat(state.experiments().values())
                .allSatisfy(x -> assertThat(x.status()).isEqualTo(org.labloop.campaign.ExperimentStatus.COMPLETED));
    }

    static Stream<Arguments> killsInsideChains() {
        Predicate<EventBody> started = b -> b instanceof EventBody.StepStarted s && s.step() >= 2;
        Predicate<EventBody> ended = b -> b instanceof EventBody.StepCompleted c && c.step() == 2;
        return Stream.of(
                Arguments.of("as a reaction started", started, 4, false),
                Arguments.of("before a transfer's start was committed", started, 11, true),
                Arguments.of("as a reaction ended", ended, 3, false),
                Arguments.of("before a reaction's end was recorded", ended, 9, true),
                Arguments.of("as an analysis started", started, 30, false));
    }

    @ParameterizedTest(name = "kill {0}")
    @MethodSource("killsInsideChains")
    void resume_afterKillInsideATimeCriticalChain_keepsEveryWindow_andMatchesAnUninterruptedRun(
            String when, Predicate<EventBody> matches, int nth, boolean before) {
        CampaignSpec spec = EngineSchedulingTest.windowed();
        CampaignState reference = uninterrupted(spec);
        assertThat(EngineSchedulingTest.violations(reference, 2)).isZero();
        CampaignState state = killAndResume(spec, matches, nth, before);
        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        assertThat(EngineSchedulingTest.violations(state, 2)).isZero();
        assertThat(Dataset.of(state, spec).cells())
                .isEqualTo(Dataset.of(reference, spec).cells());
    }

    /** A measuring analysis retried 3 times, {@code backoff} apart, on an analyser that fails 30% of its steps. */
    private static CampaignSpec failingAnalyses(java.time.Duration backoff) {
        org.labloop.protocol.StepSpec analyse = new org.labloop.protocol.StepSpec(
                "analyse",
                "analyse",
                Map.of(),
                Optional.empty(),
                true,
                Optional.empty(),
                true,
                new org.labloop.protocol.FailurePolicy(3, backoff, org.labloop.protocol.FailurePolicy.Then.FAIL));
        return SnarLab.spec(10, 3, 31, Map.of("failure_rate", 0.3), analyse, 1);
    }

    @org.junit.jupiter.api.Test
    void resume_afterKillRightAfterAStepFailed_appliesTheRetryPolicy_likeAnUninterruptedRun() {
        CampaignSpec spec = failingAnalyses(java.time.Duration.ofMinutes(2));
        CampaignState reference = uninterrupted(spec);
        CampaignState state = killAndResume(spec, b -> b instanceof EventBody.StepFailed, 1, false);
        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        assertThat(Dataset.of(state, spec).cells())
                .isEqualTo(Dataset.of(reference, spec).cells());
    }

    @org.junit.jupiter.api.Test
    void resume_afterKillWhileAFailedStepWaitsOutItsBackoff_retriesWhenTheUninterruptedRunDid() {
        java.time.Duration backoff = java.time.Duration.ofMinutes(10); // longer than an analysis
        CampaignSpec spec = failingAnalyses(backoff);
        List<String> reference;
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("reference"))) {
            reference = timeline(log.readAll(SnarLab.run(log, spec).id()));
        }
        // The kill lands on the first event recorded after the first failure and before its backoff is over.
        Instant[] failedAt = {null};
        Path data = dir.resolve("killed");
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            String id = SnarLab.create(log, spec);
            EventLog dying = new DyingLog(log, b -> false, 1, false) {
                @Override
                public List<Event> appendAll(String campaign, Instant at, String actor, List<EventBody> bodies) {
                    boolean kill =
                            failedAt[0] != null && at.isAfter(failedAt[0]) && at.isBefore(failedAt[0].plus(backoff));
                    if (failedAt[0] == null && bodies.stream().anyMatch(b -> b instanceof EventBody.StepFailed)) {
                        failedAt[0] = at;
                    }
                    List<Event> events = super.appendAll(campaign, at, actor, bodies);
                    if (kill) {
                        throw new Kill();
                    }
                    return events;
                }
            };
            Engine first = SnarLab.engine(dying, spec, id, devices, EngineListener.NONE);
            assertThatThrownBy(first::run).isInstanceOf(Kill.class);
        }
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            CampaignState state = SnarLab.engine(log, spec, "snar-test-1", devices, EngineListener.NONE)
                    .run();
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(timeline(log.readAll(state.id()))).isEqualTo(reference);
        }
    }

    /** Every event but the starts of engines, as its time and body: what a run did, and when. */
    private static List<String> timeline(List<Event> events) {
        return events.stream()
                .filter(e -> !(e.body() instanceof EventBody.CampaignStarted))
                .map(e -> e.at() + " " + org.labloop.event.EventCodec.toJson(e.body()))
                .toList();
    }

    @org.junit.jupiter.api.Test
    void resume_afterTheWorkcellLostPositionsWithStepsRunning_refusesWithTheDeviceAndHowToFixIt() {
        // The first seed whose run has two reactions at once (whether one has depends on the design and the drawn
        // durations), and the event after that moment (both on the device by then), from an uninterrupted run.
        CampaignSpec spec = null;
        EventBody next = null;
        for (long seed = 1; seed <= 20 && next == null; seed++) {
            spec = SnarLab.spec(16, 8, seed, 0);
            try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("reference-" + seed))) {
                next = afterTwoReactionsOverlap(
                        log.readAll(SnarLab.run(log, spec).id()));
            }
        }
        assertThat(next)
                .as("two reactions overlap in one of the first 20 seeds' runs")
                .isNotNull();
        EventBody killAt = next;
        Path data = dir.resolve("killed");
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            String id = SnarLab.create(log, spec);
            Engine first =
                    SnarLab.engine(new DyingLog(log, killAt::equals, 1, true), spec, id, devices, EngineListener.NONE);
            assertThatThrownBy(first::run).isInstanceOf(Kill.class);
        }
        List<org.labloop.workcell.DeviceSpec> shrunk = spec.workcell().devices().stream()
                .map(d -> d.name().equals("reactor")
                        ? new org.labloop.workcell.DeviceSpec(d.name(), d.kind(), d.capabilities(), 1, d.driver())
                        : d)
                .toList();
        CampaignSpec edited = SnarLab.variant(
                spec, new org.labloop.workcell.Workcell(spec.workcell().name(), shrunk), spec.protocol());
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory devices = StoredDeviceMemory.open(data)) {
            long before = log.readAll("snar-test-1").size();
            assertThatThrownBy(() -> SnarLab.engine(log, edited, "snar-test-1", devices, EngineListener.NONE)
                            .run())
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("device reactor is running 2 steps")
                    .hasMessageContaining("capacity 1")
                    .hasMessageContaining("restore its capacity");
            List<Event> events = log.readAll("snar-test-1");
            assertThat(ChainCheck.of(events).intact()).isTrue();
            assertThat(events.size()).isGreaterThanOrEqualTo((int) before);
        }
    }

    /** The event right after the first moment two reactions (step 2) run at once; null if they never do. */
    private static EventBody afterTwoReactionsOverlap(List<Event> events) {
        int running = 0;
        for (int i = 0; i < events.size() - 1; i++) {
            Event e = events.get(i);
            if (e.body() instanceof EventBody.StepStarted s && s.step() == 2) {
                if (++running == 2) {
                    return events.get(i + 1).body();
                }
            } else if ((e.body() instanceof EventBody.StepCompleted c && c.step() == 2)
                    || (e.body() instanceof EventBody.StepFailed f && f.step() == 2)) {
                running--;
            }
        }
        return null;
    }

    static Stream<Arguments> changeoverKills() {
        Predicate<EventBody> analysisStarted = b -> b instanceof EventBody.StepStarted s && s.step() == 4;
        return Stream.concat(
                killPoints(),
                Stream.of(
                        Arguments.of(
                                "after an analysis started, before the HPLC heard of it", analysisStarted, 3, false),
                        Arguments.of("before an analysis start was committed", analysisStarted, 5, true)));
    }

    static Stream<Arguments> blockKills() {
        Predicate<EventBody> reactionStarted = b -> b instanceof EventBody.StepStarted s && s.step() == 2;
        return Stream.concat(
                killPoints(),
                Stream.of(
                        Arguments.of(
                                "after a reaction started, before the block heard of it", reactionStarted, 4, false),
                        Arguments.of("before a reaction start was committed", reactionStarted, 6, true)));
    }

    @ParameterizedTest(name = "kill {0}")
    @MethodSource("blockKills")
    void resume_onAReactorBlockWithChangeovers_reusesTheSamePositionsAndChangeovers(
            String when, Predicate<EventBody> matches, int nth, boolean before) {
        CampaignSpec spec = EngineSchedulingTest.blockWithChangeover(5, 2);
        CampaignState reference = uninterrupted(spec);
        CampaignState state = killAndResume(spec, matches, nth, before);
        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        // The dataset has each reaction's position and its start and end (so its changeover) beside the outcomes.
        assertThat(Dataset.of(state, spec).header()).contains("react_position");
        assertThat(Dataset.of(state, spec).cells())
                .isEqualTo(Dataset.of(reference, spec).cells());
    }

    @ParameterizedTest(name = "kill {0}")
    @MethodSource("changeoverKills")
    void resume_withADeviceChangeover_givesEachStepTheChangeoverOfAnUninterruptedRun(
            String when, Predicate<EventBody> matches, int nth, boolean before) {
        CampaignSpec spec = EngineSchedulingTest.withChangeover(5);
        CampaignState reference = uninterrupted(spec);
        CampaignState state = killAndResume(spec, matches, nth, before);
        assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
        assertThat(Dataset.of(state, spec).cells())
                .isEqualTo(Dataset.of(reference, spec).cells());
    }
}
