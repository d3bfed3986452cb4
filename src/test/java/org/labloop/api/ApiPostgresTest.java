package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.ChainCheck;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;
import org.labloop.store.StoreLocation;
import org.labloop.store.TcpProxy;
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

    /** {@code direct} reached through {@code proxy}. */
    private static StoreLocation.Postgres through(StoreLocation.Postgres direct, TcpProxy proxy) {
        return new StoreLocation.Postgres(
                direct.host(),
                proxy.port(),
                direct.database(),
                direct.user(),
                direct.password(),
                direct.schema(),
                direct.options());
    }

    /**
     * While the engine a server drives waits for its database to come back (for minutes), the server answers at once:
     * from memory where it can, 503 where it must read or write the store. Before, reading and writing waited behind
     * the engine's write.
     */
    @Test
    void whileItsEngineWaitsForTheDatabase_aServerAnswersAtOnce_withA503WhereItMustReadOrWriteTheStore()
            throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                TcpProxy proxy = TcpProxy.to(pg.location().host(), pg.location().port())) {
            StoreLocation.Postgres direct = pg.location();
            StoreLocation.Postgres through = through(direct, proxy);
            try (TestServer server = new TestServer(through, tmp, 2000)) {
                String id = server.createExample(true);
                String waiting = server.createExample(false);
                server.await(id, c -> c.get("experiments").get("completed").asInt() >= 2, 120);
                // A token checked just now is remembered for a few seconds, so what follows is the server's own
                // reading.
                String operator = server.server
                        .tokens()
                        .create("omar", Principal.OPERATOR)
                        .token();
                assertThat(server.get("/api/v1/campaigns/" + id, operator).statusCode())
                        .isEqualTo(200);

                proxy.cut();
                Thread.sleep(500); // the engine's next write meets the cut and waits for the server
                try {
                    cutOff(server, id, waiting, operator);
                } finally {
                    proxy.restore(); // also when an answer was wrong: else closing waits for the engine, for minutes
                }
                JsonNode done = server.awaitStatus(id, "completed", 300);
                assertThat(done.get("experiments").get("completed").asInt()).isEqualTo(40);
            }
            try (EventLog log = Lab.openReadOnly(direct, true)) {
                assertThat(ChainCheck.of(log.readAll(log.campaignIds().get(0))).intact())
                        .isTrue();
            }
        }
    }

    /** What a server cut off from its database answers: from memory, or 503 at once. */
    private static void cutOff(TestServer server, String id, String waiting, String operator) {
        HttpResponse<String> known = server.get("/api/v1/campaigns/" + id, operator);
        assertThat(known.statusCode()).as(known.body()).isEqualTo(200);
        HttpResponse<String> unknown = server.get("/api/v1/campaigns/no-such-campaign", operator);
        assertThat(unknown.statusCode())
                .as("a request that must read the store: " + unknown.body())
                .isEqualTo(503);
        assertThat(unknown.headers().firstValue("Retry-After")).hasValue("30");
        // Writes the server would make through the engine's log: refused at once too, not after minutes.
        HttpResponse<String> create =
                server.post("/api/v1/campaigns", "{\"example\":\"snar\",\"start\":false}", server.admin);
        assertThat(create.statusCode()).as(create.body()).isEqualTo(503);
        assertThat(create.body()).contains("store_unavailable");
        HttpResponse<String> start = server.post("/api/v1/campaigns/" + waiting + "/start", "{}", server.admin);
        assertThat(start.statusCode()).as(start.body()).isEqualTo(503);
    }

    /**
     * A network that drops packets without a word: the engine's statement waits for its answer (minutes), and a request
     * that must ask the store is answered 503 within the server's prompt timeout instead of as long.
     */
    @Test
    void whenTheNetworkGoesSilent_aRequestThatMustAskTheStore_is503WithinSeconds_andTheRunEndsOnceItFlows()
            throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                TcpProxy proxy = TcpProxy.to(pg.location().host(), pg.location().port())) {
            StoreLocation.Postgres through = through(pg.location(), proxy);
            try (TestServer server = new TestServer(through, tmp, 2000)) {
                String id = server.createExample(true);
                server.await(id, c -> c.get("experiments").get("completed").asInt() >= 2, 120);
                String later =
                        server.server.tokens().create("lena", Principal.VIEWER).token();

                proxy.stall();
                long t0 = System.nanoTime();
                HttpResponse<String> silent;
                try {
                    // A token not yet checked is looked up in the store: its session hears nothing.
                    silent = server.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(server.base + "/api/v1/campaigns/" + id))
                                    .GET(),
                            later,
                            java.time.Duration.ofSeconds(90));
                } finally {
                    proxy.flow(); // also without an answer: else closing waits for the engine's statement
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(silent.statusCode()).as(silent.body()).isEqualTo(503);
                // Its statement, then its one new login, each give up after the prompt timeout (not the 300 s of an
                // engine's session); printed rather than asserted, as timing is the machine's.
                System.out.printf("a request over a silent network was answered 503 after %.1f s%n", seconds);

                JsonNode done = server.awaitStatus(id, "completed", 300);
                assertThat(done.get("experiments").get("completed").asInt()).isEqualTo(40);
            }
        }
    }

    @Test
    void aServerCutOffFromItsDatabase_answers503_andAnswersAgainOnceTheDatabaseIsBack() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                TcpProxy proxy = TcpProxy.to(pg.location().host(), pg.location().port())) {
            StoreLocation.Postgres direct = pg.location();
            StoreLocation.Postgres through = through(direct, proxy);
            try (TestServer server = new TestServer(through, tmp, 0)) {
                String id = server.createExample(true);
                server.awaitStatus(id, "completed", 120);
                String later =
                        server.server.tokens().create("lena", Principal.VIEWER).token();
                // The viewer's token is checked once and then remembered for a few seconds.
                assertThat(server.get("/api/v1/campaigns/" + id, server.viewer).statusCode())
                        .isEqualTo(200);

                proxy.cut(); // as while the database server restarts: connections end, new ones are refused
                HttpResponse<String> away = server.get("/api/v1/campaigns/" + id, later);
                assertThat(away.statusCode())
                        .as("a token checked against the store")
                        .isEqualTo(503);
                assertThat(away.headers().firstValue("Retry-After")).hasValue("30");
                assertThat(away.body())
                        .contains("store_unavailable", "ask again")
                        .as("the database's address is not shown to callers")
                        .doesNotContain(String.valueOf(proxy.port()))
                        .doesNotContain(direct.schema());

                proxy.restore();
                HttpResponse<String> back = server.get("/api/v1/campaigns/" + id, later);
                assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
                assertThat(back.body()).contains(id, "completed");
            }
        }
    }
}
