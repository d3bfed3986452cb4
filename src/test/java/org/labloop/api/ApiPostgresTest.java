package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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

    @Test
    void aServerWhoseDatabaseSessionsEnd_answers503WhileTheDatabaseRefuses_andAgainOnceItIsBack() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                TestServer server = new TestServer(pg.location(), tmp, 0);
                Connection admin = pg.connect();
                Statement st = admin.createStatement();
                // A database's connections can only be switched off from another database.
                Connection other = java.sql.DriverManager.getConnection(
                        "jdbc:postgresql://" + pg.location().host() + ":"
                                + pg.location().port() + "/postgres",
                        pg.location().properties());
                Statement gate = other.createStatement()) {
            String id = server.createExample(true);
            server.awaitStatus(id, "completed", 120);
            String database = pg.location().database();
            try {
                // As while the database restarts: its sessions end, and new ones are refused for a while.
                gate.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
                endSessions(st);
                HttpResponse<String> away = server.get("/api/v1/campaigns/" + id, server.viewer);
                assertThat(away.statusCode()).as(away.body()).isEqualTo(503);
                assertThat(away.headers().firstValue("Retry-After")).hasValue("30");
                assertThat(away.body()).contains("store_unavailable", "could not connect again");
            } finally {
                gate.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
            }
            HttpResponse<String> back = server.get("/api/v1/campaigns/" + id, server.viewer);
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            assertThat(back.body()).contains(id, "completed");

            endSessions(st);
            HttpResponse<String> after = server.get("/api/v1/campaigns", server.viewer);
            assertThat(after.statusCode())
                    .as("sessions ended once more, server up: " + after.body())
                    .isEqualTo(200);
        }
    }

    /** Ends every LabLoop session on the server but the test's own. */
    private static void endSessions(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                + " application_name = 'labloop' AND datname = current_database() AND pid <> pg_backend_pid()")) {
            int ended = 0;
            while (rs.next()) {
                ended++;
            }
            assertThat(ended).as("sessions of the server ended").isPositive();
        }
    }
}
