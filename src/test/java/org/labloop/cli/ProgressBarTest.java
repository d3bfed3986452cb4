package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.campaign.CampaignState;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.store.InMemoryEventLog;

class ProgressBarTest {
    private static final Instant CREATED = Instant.parse("2026-01-05T08:00:00Z");

    @Test
    void aResumedRun_countsItsElapsedTimeFromTheCampaignsCreation_asStatusDoes() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = log.newCampaignId("bar");
            CampaignState state = new CampaignState();
            state.apply(log.append(id, CREATED, "test", new EventBody.CampaignCreated("bar", 1, "test", List.of())));
            state.apply(log.append(
                    id,
                    CREATED,
                    "planner:random",
                    new EventBody.ExperimentProposed("E0001", 1, Map.of("x", 1.0), "random", "1", "", Map.of())));
            // The run that watches starts here: 2 h later, as a resume after an interruption.
            Instant resumed = CREATED.plus(Duration.ofHours(2));
            StringWriter text = new StringWriter();
            ProgressBar bar = new ProgressBar(new PrintWriter(text, true), 1, true, "labloop resume", "");
            for (Event e : List.of(
                    log.append(id, resumed, "engine", new EventBody.CampaignStarted("virtual")),
                    log.append(
                            id,
                            resumed.plus(Duration.ofMinutes(30)),
                            "engine",
                            new EventBody.ExperimentCompleted("E0001")))) {
                state.apply(e);
                bar.committed(e, state);
            }
            assertThat(text.toString()).contains("1/1 experiments").contains("2h 30m elapsed");
        }
    }

    @Test
    void aCampaignEndingBeforeItsBudget_printsWhereItEnded() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = log.newCampaignId("bar");
            CampaignState state = new CampaignState();
            StringWriter text = new StringWriter();
            ProgressBar bar = new ProgressBar(new PrintWriter(text, true), 40, true, "labloop resume", "");
            List<EventBody> bodies = new java.util.ArrayList<>();
            bodies.add(new EventBody.CampaignCreated("bar", 1, "test", List.of()));
            for (int i = 1; i <= 3; i++) {
                bodies.add(new EventBody.ExperimentProposed(
                        "E000" + i, i, Map.of("x", (double) i), "random", "1", "", Map.of()));
            }
            bodies.add(new EventBody.CampaignStarted("virtual"));
            for (int i = 1; i <= 3; i++) {
                bodies.add(new EventBody.ExperimentCompleted("E000" + i));
            }
            bodies.add(new EventBody.CampaignCompleted("goal met: E0002 reached x >= 2 after 3 experiments"));
            for (EventBody b : bodies) {
                Event e = log.append(id, CREATED, "engine", b);
                state.apply(e);
                bar.committed(e, state);
            }
            // Fewer than 10 done, so no line was due before the end; the end gives one, with nothing in flight.
            assertThat(text.toString().lines().toList())
                    .containsExactly("[##............................] 3/40 experiments, 0 in flight, 0.0 min elapsed");
        }
    }
}
