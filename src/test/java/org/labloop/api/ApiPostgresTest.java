package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.ChainCheck;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;
import org.labloop.store.TestPostgres;

/** The server over a PostgreSQL store: campaigns created and run through the API land in the shared database. */
class ApiPostgresTest {
    @TempDir
    Path tmp;

    @Test
    void aCampaignCreatedAndRunThroughTheApi_isRecordedInPostgres_andAnotherServerSeesIt() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            String id;
            try (TestServer server = new TestServer(pg.location(), tmp, 0)) {
                id = server.createExample(true);
                JsonNode done = server.awaitStatus(id, "completed", 120);
                assertThat(done.get("experiments").get("completed").asInt()).isEqualTo(40);
                assertThat(server.getJson("/api/v1/devices").toString()).contains(id);
            }
            try (TestServer other = new TestServer(pg.location(), tmp, 0)) {
                JsonNode list = other.getJson("/api/v1/campaigns");
                assertThat(list.toString()).contains(id, "completed");
                assertThat(other.get("/api/v1/campaigns/" + id, other.viewer).statusCode())
                        .isEqualTo(200);
            }
            try (EventLog log = Lab.openReadOnly(pg.location(), true)) {
                assertThat(ChainCheck.of(log.readAll(id)).intact()).isTrue();
            }
        }
    }
}
