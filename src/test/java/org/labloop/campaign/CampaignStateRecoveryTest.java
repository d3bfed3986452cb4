package org.labloop.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.EventBody;
import org.labloop.event.EventLogException;
import org.labloop.store.SqliteEventLog;

/** The projection trusts the log, not its caches, and reports events that do not fit as log problems. */
class CampaignStateRecoveryTest {
    @TempDir
    Path dir;

    private String campaign(SqliteEventLog log) {
        String id = log.newCampaignId("c");
        log.append(id, Instant.EPOCH, "user:t", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
        log.append(
                id,
                Instant.EPOCH,
                "planner:random",
                new EventBody.ExperimentProposed("E1", 1, Map.of("T", 30.0), "random", "1", "r", Map.of()));
        return id;
    }

    @Test
    void unreadableOrStaleSnapshot_isIgnored_andStateIsRebuiltFromTheLog() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = campaign(log);
            CampaignState truth = CampaignState.replay(log, id);
            for (String snapshot : List.of(
                    "not json",
                    "{\"id\":\"" + id + "\",\"lastSeq\":2,\"lastHash\":\"" + "0".repeat(64) + "\"}",
                    "{\"id\":\"" + id + "\",\"lastSeq\":99}")) {
                log.saveSnapshot(id, 2, snapshot);
                CampaignState loaded = CampaignState.load(log, id);
                assertThat(loaded.toJson()).as(snapshot).isEqualTo(truth.toJson());
            }
        }
    }

    @Test
    void eventThatDoesNotFit_isALogProblem_notABug() {
        // before: a StepCompleted with no running step escaped as IllegalStateException (exit 70, "internal error")
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = campaign(log);
            log.append(id, Instant.EPOCH, "device:x", new EventBody.StepCompleted("E1", 3, "x", Map.of()));
            assertThatThrownBy(() -> CampaignState.replay(log, id))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContainingAll("event 3", "StepCompleted", "no running step");
        }
    }

    @Test
    void logThatDoesNotStartWithItsCreation_isALogProblem() {
        // found by labloop fuzz (seed 1, case 517, reseal-drop): a forged log without its first event made export
        // crash with a NullPointerException on the missing creation time
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = log.newCampaignId("c");
            log.append(id, Instant.EPOCH, "engine", new EventBody.CampaignStarted("virtual"));
            assertThatThrownBy(() -> CampaignState.replay(log, id))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("first event is CampaignStarted, not CampaignCreated");
            String other = campaign(log);
            log.append(other, Instant.EPOCH, "user:t", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
            assertThatThrownBy(() -> CampaignState.replay(log, other))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("event 3 creates the campaign a second time");
        }
    }
}
