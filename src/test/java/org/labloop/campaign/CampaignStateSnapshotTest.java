package org.labloop.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;
import org.labloop.store.InMemoryEventLog;

/** A snapshot reuses the JSON of finished experiments; it must still be exactly what encoding the state writes. */
class CampaignStateSnapshotTest {
    private static String plain(CampaignState state) throws Exception {
        return EventCodec.mapper().writeValueAsString(state);
    }

    @Test
    void snapshot_isTheStateEncodedAfresh_evenWhenAFinishedExperimentChangesAgain() throws Exception {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = log.newCampaignId("c");
            Instant at = Instant.parse("2026-11-28T10:00:00Z");
            log.append(id, at, "user:t", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
            log.append(
                    id,
                    at,
                    "planner:random",
                    new EventBody.ExperimentProposed("E1", 1, Map.of("T", 30.0), "random", "1", "r", Map.of()));
            log.append(
                    id,
                    at,
                    "planner:random",
                    new EventBody.ExperimentProposed(
                            // A NUL (escaped in JSON) and a non-Latin-1 character in a finished experiment's text.
                            "E2", 2, Map.of("T", 40.0), "random", "1", "r\u0000\u2192", Map.of()));
            log.append(
                    id,
                    at,
                    "engine",
                    new EventBody.StepStarted("E1", 0, "analyse", "analyse", "hplc", Map.of(), -1, "c/E1/0/1"));
            log.append(id, at, "device:hplc", new EventBody.StepCompleted("E1", 0, "hplc", Map.of("y", 0.5)));
            log.append(
                    id,
                    at,
                    "device:hplc",
                    new EventBody.MeasurementRecorded("E1", "y", 0.5, "%", "hplc", 0, "emulator:snar"));
            log.append(id, at, "engine", new EventBody.ExperimentCompleted("E1"));
            log.append(id, at, "engine", new EventBody.ExperimentFailed("E2", "dropped"));
            CampaignState state = CampaignState.replay(log, id);

            String first = state.toJson();
            assertThat(first).isEqualTo(plain(state));
            assertThat(state.experiments().get("E1").snapshotJson)
                    .as("reused next time")
                    .isNotNull();
            assertThat(state.toJson()).isEqualTo(first);

            // A log may still add to a finished experiment: the reused JSON must not hide it.
            state.apply(log.append(
                    id,
                    at.plusSeconds(60),
                    "device:hplc",
                    new EventBody.MeasurementRecorded("E1", "z", 7.0, "", "hplc", 0, "manual")));
            assertThat(state.toJson()).isEqualTo(plain(state)).contains("\"z\"").isNotEqualTo(first);

            CampaignState restored = CampaignState.fromJson(state.toJson());
            assertThat(restored.toJson()).isEqualTo(state.toJson());
        }
    }
}
