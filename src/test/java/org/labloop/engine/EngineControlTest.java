package org.labloop.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.store.SqliteEventLog;

class EngineControlTest {
    @TempDir
    Path dir;

    /** Resumes from another thread a little later, as an operator would. */
    private static void resumeSoon(Engine engine) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            engine.resume("user:test", "checked the reagents");
        });
        t.setDaemon(true);
        t.start();
    }

    private static List<EventBody> between(List<Event> events, Class<?> from, Class<?> to) {
        int a = indexOf(events, from);
        int b = indexOf(events, to);
        return events.subList(a + 1, b).stream().map(Event::body).toList();
    }

    private static int indexOf(List<Event> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i).body())) {
                return i;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " event");
    }

    @Test
    void pause_letsExperimentsInTheLabFinish_proposesNothingNew_andResumeCompletesTheBudget() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            AtomicReference<Engine> ref = new AtomicReference<>();
            Engine engine = SnarLab.engine(log, SnarLab.spec(12, 4, 1, 0), (event, state) -> {
                if (event.body() instanceof EventBody.ExperimentCompleted
                        && state.count(ExperimentStatus.COMPLETED) == 3) {
                    ref.get().pause("user:test", "low on pyrrolidine", false);
                }
                if (event.body() instanceof EventBody.CampaignPaused
                        && state.inFlight().isEmpty()) {
                    resumeSoon(ref.get());
                }
                if (event.body() instanceof EventBody.ExperimentCompleted
                        && state.status() == CampaignStatus.PAUSED
                        && state.inFlight().isEmpty()) {
                    resumeSoon(ref.get());
                }
            });
            ref.set(engine);
            CampaignState state = engine.run();

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.count(ExperimentStatus.COMPLETED)).isEqualTo(12);
            List<Event> events = log.readAll(state.id());
            List<EventBody> paused = between(events, EventBody.CampaignPaused.class, EventBody.CampaignResumed.class);
            assertThat(paused).noneMatch(b -> b instanceof EventBody.ExperimentProposed);
            assertThat(paused).anyMatch(b -> b instanceof EventBody.ExperimentCompleted);
            Event pause = events.get(indexOf(events, EventBody.CampaignPaused.class));
            assertThat(pause.actor()).isEqualTo("user:test");
            assertThat(((EventBody.CampaignPaused) pause.body()).reason()).isEqualTo("low on pyrrolidine");
        }
    }

    @Test
    void immediatePause_startsNoNewStepUntilResumed() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            AtomicReference<Engine> ref = new AtomicReference<>();
            Engine engine = SnarLab.engine(log, SnarLab.spec(8, 4, 2, 0), (event, state) -> {
                if (event.body() instanceof EventBody.ExperimentCompleted
                        && state.count(ExperimentStatus.COMPLETED) == 2) {
                    ref.get().pause("user:test", "spill on the deck", true);
                }
                if (event.body() instanceof EventBody.CampaignPaused) {
                    resumeSoon(ref.get());
                }
            });
            ref.set(engine);
            CampaignState state = engine.run();

            assertThat(state.count(ExperimentStatus.COMPLETED)).isEqualTo(8);
            List<EventBody> paused =
                    between(log.readAll(state.id()), EventBody.CampaignPaused.class, EventBody.CampaignResumed.class);
            assertThat(paused).noneMatch(b -> b instanceof EventBody.StepStarted);
            assertThat(paused).noneMatch(b -> b instanceof EventBody.ExperimentProposed);
        }
    }

    @Test
    void abort_cancelsRunningSteps_failsExperimentsInFlight_andEndsTheCampaign() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            AtomicReference<Engine> ref = new AtomicReference<>();
            Engine engine = SnarLab.engine(log, SnarLab.spec(20, 4, 3, 0), (event, state) -> {
                if (event.body() instanceof EventBody.ExperimentCompleted
                        && state.count(ExperimentStatus.COMPLETED) == 3) {
                    ref.get().abort("user:test", "wrong reagent bottle");
                }
            });
            ref.set(engine);
            CampaignState state = engine.run();

            assertThat(state.status()).isEqualTo(CampaignStatus.ABORTED);
            assertThat(state.endReason()).contains("wrong reagent bottle");
            assertThat(state.inFlight()).isEmpty();
            assertThat(state.experiments().size()).isLessThan(20);
            assertThat(state.experiments().values())
                    .filteredOn(x -> x.status() == ExperimentStatus.FAILED)
                    .isNotEmpty()
                    .allSatisfy(x -> assertThat(x.failure()).contains("campaign aborted"));
            List<Event> events = log.readAll(state.id());
            assertThat(events.get(events.size() - 1).body()).isInstanceOf(EventBody.CampaignAborted.class);
        }
    }

    /** The SnAr test campaign, its file asking for {@code signatures} signatures before it runs. */
    private static org.labloop.campaign.CampaignSpec needing(int signatures) {
        return SnarLab.needingSignatures(SnarLab.spec(4, 2, 3, 0), signatures);
    }

    @Test
    void run_ofAnUnsignedCampaign_isRefusedBeforeItsStartIsRecorded_andRunsOnceSigned() {
        org.labloop.campaign.CampaignSpec spec = needing(1);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = SnarLab.create(log, spec);
            Engine unsigned =
                    SnarLab.engine(log, spec, id, org.labloop.device.DeviceMemory.inProcess(), EngineListener.NONE);
            org.assertj.core.api.Assertions.assertThatThrownBy(unsigned::run)
                    .isInstanceOf(org.labloop.campaign.Approval.NotApprovedException.class)
                    .hasMessageContaining("campaign " + id + " needs 1 signature before it runs and has none");
            unsigned.close();
            assertThat(log.readAll(id)).hasSize(1);

            String definition = log.readAll(id).get(0).hash();
            log.append(
                    id,
                    java.time.Instant.EPOCH,
                    "user:alice",
                    new EventBody.CampaignSigned(
                            "alice", "operator", "approved to run", "2026-11-29T12:00:00Z", definition));
            CampaignState done = SnarLab.engine(
                            log, spec, id, org.labloop.device.DeviceMemory.inProcess(), EngineListener.NONE)
                    .run();
            assertThat(done.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(done.signatures())
                    .extracting(CampaignState.Signature::signer)
                    .containsExactly("alice");
        }
    }

    @Test
    void aSignatureOfAnotherDefinition_doesNotFoldIntoTheCampaign() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = SnarLab.create(log, needing(1));
            log.append(
                    id,
                    java.time.Instant.EPOCH,
                    "user:alice",
                    new EventBody.CampaignSigned(
                            "alice", "operator", "approved to run", "2026-11-29T12:00:00Z", "0".repeat(64)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> CampaignState.replay(log, id))
                    .isInstanceOf(org.labloop.event.EventLogException.class)
                    .hasMessageContaining("signs a definition other than the campaign's");
        }
    }
}
