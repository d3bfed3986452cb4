package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.cli.Main;

/**
 * What an operator meets beyond the happy path: requests the API must refuse cleanly, operator requests answered
 * through it, campaigns another process runs on the same store, and a log altered behind LabLoop's back.
 */
class ApiOperatorTest {
    @TempDir
    Path tmp;

    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private void serve() {
        s = new TestServer(tmp.resolve("data"), 0);
    }

    private void assertBadRequest(HttpResponse<String> r, String field, String says) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = s.json(r);
        assertThat(body.get("field").asText()).isEqualTo(field);
        assertThat(body.get("message").asText()).contains(says).doesNotContain("java.", "Exception");
    }

    @Test
    void hostileOrMisspeltBodies_are400WithAMessage_neverAnInternalError() {
        serve();
        String nested = "[".repeat(1001) + "]".repeat(1001);
        assertBadRequest(s.post("/api/v1/login", nested, null), "body", "not valid JSON");
        assertBadRequest(s.post("/api/v1/campaigns", nested, s.admin), "body", "not valid JSON");
        assertBadRequest(
                s.post("/api/v1/campaigns", "{\"example\":\"snar\"}{\"x\":1}", s.admin), "body", "not valid JSON");
        HttpResponse<String> unclosed = s.post("/api/v1/campaigns", "{\"example\": \"snar\", \"start\": true", s.admin);
        assertBadRequest(unclosed, "body", "not valid JSON");
        assertThat(s.json(unclosed).get("message").asText())
                .as("where the parser read from says nothing to a caller")
                .contains("end-of-input", "line 1, column 34")
                .doesNotContain("Source", "REDACTED", "StreamReadFeature", "start marker");
        // A field named twice is refused, not read by its last value.
        assertBadRequest(
                s.post("/api/v1/campaigns", "{\"example\":\"snar\",\"seed\":1,\"seed\":2}", s.admin),
                "body",
                "Duplicate field 'seed'");
        assertBadRequest(
                s.post("/api/v1/campaigns", "{\"example\":\"snar\",\"sead\":5}", s.admin),
                "sead",
                "did you mean 'seed'?");
        assertBadRequest(
                s.post("/api/v1/campaigns", "{\"example\":\"snar\",\"campaign\":\"x\"}", s.admin),
                "campaign",
                "either 'example' or");
        assertThat(s.getJson("/api/v1/campaigns").get("total").asInt()).isZero();

        String id = s.createExample(false);
        assertBadRequest(
                s.post("/api/v1/campaigns/" + id + "/pause", "{\"reson\":\"x\"}", s.admin),
                "reson",
                "did you mean 'reason'?");
        assertBadRequest(s.get("/api/v1/campaigns?status=bogus", s.admin), "status", "unknown status 'bogus'");
        assertBadRequest(
                s.get("/api/v1/campaigns/" + id + "/events?type=StepStarted,Bogus", s.admin),
                "type",
                "unknown event type 'Bogus'");
        assertThat(s.get("/api/v1/campaigns/" + id + "/events?type=StepStarted,CampaignCreated", s.admin)
                        .statusCode())
                .isEqualTo(200);
        assertBadRequest(
                s.get("/api/v1/campaigns/" + id + "/measurements?name=styy", s.admin),
                "name",
                "unknown outcome 'styy'; did you mean 'sty'?");
        assertBadRequest(
                s.get("/api/v1/campaigns/" + id + "/steps?device=hplcc", s.admin),
                "device",
                "unknown device 'hplcc'; did you mean 'hplc'?");
        HttpResponse<String> resumeCreated = s.post("/api/v1/campaigns/" + id + "/resume", "{}", s.admin);
        assertThat(resumeCreated.statusCode()).isEqualTo(409);
        assertThat(s.json(resumeCreated).get("message").asText())
                .contains("is created, not paused", "/campaigns/" + id + "/start");
        HttpResponse<String> noExample = s.post("/api/v1/campaigns", "{\"example\":\"snarr\"}", s.admin);
        assertThat(noExample.statusCode()).isEqualTo(404);
        assertThat(s.json(noExample).get("message").asText()).contains("no example 'snarr'; did you mean 'snar'?");

        HttpResponse<String> wrongMethod = s.get("/api/v1/login", null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(s.json(wrongMethod).get("code").asText()).isEqualTo("method_not_allowed");
        HttpResponse<String> huge =
                s.post("/api/v1/campaigns", "{\"campaign\":\"" + "x".repeat(2_000_000) + "\"}", s.admin);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(s.json(huge).get("code").asText()).isEqualTo("too_large");
    }

    @Test
    void requestsTheHttpServerRefusesItself_getTheApisJsonErrors_notHtml() {
        serve();
        HttpResponse<String> nul = s.get("/api/v1/campaigns/%00", s.admin);
        HttpResponse<String> longUrl = s.get("/api/v1/" + "a".repeat(10_000), s.admin);
        HttpResponse<String> bigHeader = s.send(
                HttpRequest.newBuilder(URI.create(s.base + "/health"))
                        .header("X-Big", "a".repeat(20_000))
                        .GET(),
                null);
        for (var r : List.of(nul, longUrl, bigHeader)) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            assertThat(s.json(r).get("message").asText()).isNotBlank();
        }
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(s.json(nul).get("code").asText()).isEqualTo("bad_request");
        assertThat(longUrl.statusCode()).isEqualTo(414);
        assertThat(s.json(longUrl).get("message").asText()).contains("longer than the server takes");
        assertThat(bigHeader.statusCode()).isEqualTo(431);
        assertThat(s.json(bigHeader).get("code").asText()).isEqualTo("request_header_fields_too_large");
    }

    @Test
    void serve_onAPortThatCannotBe_isBadInputWithAHint_notAnInternalError() {
        for (String port : new String[] {"99999", "-1"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(
                    new String[] {
                        "serve", "--port", port, "--data", tmp.resolve("d").toString()
                    },
                    new PrintWriter(out, true),
                    new PrintWriter(err, true));
            assertThat(code).as(err.toString()).isEqualTo(2);
            assertThat(err.toString())
                    .contains("port " + port + " does not exist")
                    .doesNotContain("Exception");
        }
        serve();
        int taken = Integer.parseInt(s.base.substring(s.base.lastIndexOf(':') + 1));
        StringWriter err = new StringWriter();
        int code = Main.execute(
                new String[] {
                    "serve",
                    "--port",
                    Integer.toString(taken),
                    "--data",
                    tmp.resolve("d2").toString()
                },
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isEqualTo(2);
        assertThat(err.toString())
                .contains("cannot listen on 127.0.0.1:" + taken)
                .contains("--port");
        assertThat(tmp.resolve("d2"))
                .as("a server that cannot start writes no store")
                .doesNotExist();

        StringWriter badHost = new StringWriter();
        int hostCode = Main.execute(
                new String[] {
                    "serve",
                    "--host",
                    "999.1.1.1",
                    "--port",
                    "0",
                    "--data",
                    tmp.resolve("d3").toString()
                },
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(badHost, true));
        assertThat(hostCode).as(badHost.toString()).isEqualTo(2);
        assertThat(badHost.toString()).contains("--host 999.1.1.1").contains("no such address on this machine");
        assertThat(tmp.resolve("d3")).doesNotExist();
    }

    @Test
    void eventStream_withoutAcceptingEventStreams_is406SayingWhatToSend() {
        serve();
        String id = s.createExample(false);
        HttpResponse<String> r = s.get("/api/v1/campaigns/" + id + "/stream", s.admin);
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(s.json(r).get("message").asText()).contains("Accept: text/event-stream");
    }

    private static CompletableFuture<String> runInTerminal(String... args) {
        return CompletableFuture.supplyAsync(() -> {
            StringWriter out = new StringWriter();
            int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(out, true));
            return code + "\n" + out;
        });
    }

    @Test
    void campaignRunByAnotherProcess_isFollowed_andItsOperatorRequestIsAnsweredThroughTheApi() throws Exception {
        serve();
        Path campaign = org.labloop.lab.ExampleCopies.brokenReactor(tmp.resolve("broken"), 40, 2);
        CompletableFuture<String> terminal = runInTerminal(
                "run", campaign.toString(), "--data", tmp.resolve("data").toString(), "--no-progress");

        // The terminal's campaign pauses for a person; the server shows it as it is, not as interrupted.
        for (int i = 0; i < 600 && s.getJson("/api/v1/campaigns").get("total").asInt() == 0; i++) {
            Thread.sleep(50);
        }
        JsonNode paused = s.await(
                "snar-faults-1",
                c -> "paused".equals(c.get("status").asText())
                        && !c.get("open_requests").isEmpty(),
                30);
        assertThat(paused.get("live").asBoolean()).isFalse();
        assertThat(paused.get("run_elsewhere").asBoolean()).isTrue();
        assertThat(paused.get("paused_by").asText()).isEqualTo("engine");
        JsonNode request = paused.get("open_requests").get(0);
        assertThat(request.get("message").asText()).contains("2 experiments failed in a row");
        String rid = request.get("id").asText();

        String c = "/api/v1/campaigns/snar-faults-1";
        HttpResponse<String> resume = s.post(c + "/resume", "{}", s.admin);
        assertThat(resume.statusCode()).isEqualTo(409);
        assertThat(s.json(resume).get("message").asText()).contains("/requests/" + rid + "/ack");
        HttpResponse<String> unknown = s.post(c + "/requests/nope/ack", "{}", s.admin);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(s.json(unknown).get("message").asText()).contains("open: " + rid);
        assertThat(s.post(c + "/requests/" + rid + "/ack", "{\"note\":\"checked\"}", s.viewer)
                        .statusCode())
                .isEqualTo(403);

        HttpResponse<String> ack =
                s.post(c + "/requests/" + rid + "/ack", "{\"note\":\"reseated the block\"}", s.admin);
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(202);
        // The terminal's engine records the answer; the server follows its log.
        s.await("snar-faults-1", x -> x.get("open_requests").size() == 0 || !rid.equals(firstRequest(x)), 30);
        JsonNode answered =
                s.getJson(c + "/events?type=OperatorAcknowledged").get("items").get(0);
        assertThat(answered.get("actor").asText()).isEqualTo("user:alice");
        assertThat(answered.get("body").get("note").asText()).isEqualTo("reseated the block");

        // Every reaction fails, so the campaign pauses again: abort it through the API, as the terminal would.
        s.await("snar-faults-1", x -> "paused".equals(x.get("status").asText()), 30);
        assertThat(s.post(c + "/abort", "{\"reason\":\"reactor broken\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        String ended = terminal.get(60, TimeUnit.SECONDS);
        assertThat(ended).startsWith("6\n").contains("aborted: reactor broken");
        JsonNode aborted =
                s.await("snar-faults-1", x -> "aborted".equals(x.get("status").asText()), 30);
        long lastSeq = aborted.get("last_seq").asLong();
        assertThat(s.getJson(c + "/events?after=" + (lastSeq - 1))
                        .get("last_seq")
                        .asLong())
                .isEqualTo(lastSeq);
    }

    private static String firstRequest(JsonNode campaign) {
        JsonNode open = campaign.get("open_requests");
        return open.isEmpty() ? "" : open.get(0).get("id").asText();
    }

    @Test
    void aLogAlteredWhileTheServerShowsIt_isRefusedFromTheDatasetDownloadOn() throws Exception {
        Path data = tmp.resolve("data");
        serve();
        String id = s.createExample(false);
        String c = "/api/v1/campaigns/" + id;
        assertThat(s.get(c + "/dataset?format=json", s.admin).statusCode()).isEqualTo(200);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("labloop.db"));
                Statement st = db.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            assertThat(st.executeUpdate("UPDATE events SET actor = 'user:mallory' WHERE seq = 1"))
                    .isEqualTo(1);
        }
        HttpResponse<String> dataset = s.get(c + "/dataset?format=json", s.admin);
        assertThat(dataset.statusCode()).isEqualTo(409);
        assertThat(s.json(dataset).get("code").asText()).isEqualTo("altered_log");
        assertThat(s.json(dataset).get("message").asText())
                .contains("not intact")
                .contains("labloop verify");
        // From then on the campaign is shown nowhere, as one found altered when the server started.
        assertThat(s.get(c, s.admin).statusCode()).isEqualTo(409);
        assertThat(s.get(c + "/events", s.admin).statusCode()).isEqualTo(409);
        assertThat(s.getJson("/api/v1/campaigns")
                        .get("items")
                        .get(0)
                        .get("status")
                        .asText())
                .isEqualTo("altered");
    }

    @Test
    void steps_onADeviceWithChangeovers_sayHowLongEachChangeoverTook() {
        serve();
        HttpResponse<String> r = s.post("/api/v1/campaigns", "{\"example\":\"snar-block\",\"start\":true}", s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String block = s.json(r).get("id").asText();
        s.awaitStatus(block, "completed", 60);

        JsonNode steps = s.getJson("/api/v1/campaigns/" + block + "/steps?device=block&size=1000");
        List<Double> changeovers = new ArrayList<>();
        steps.get("items").forEach(st -> {
            if (!st.get("changeover_min").isNull()) {
                changeovers.add(st.get("changeover_min").asDouble());
            }
        });
        // Every reaction on the block says its changeover: 10 min when its position changed temperature, else 0.
        assertThat(changeovers).hasSize(30).allSatisfy(m -> assertThat(m).isIn(0.0, 10.0));
        JsonNode hplc = s.getJson("/api/v1/campaigns/" + block + "/steps?device=hplc&size=1000");
        assertThat(hplc.get("items"))
                .allSatisfy(st -> assertThat(st.get("changeover_min").isNull())
                        .as("a device without changeovers")
                        .isTrue());
    }

    @Test
    void alteredLog_isNotShown_andListedAsAltered() throws Exception {
        Path data = tmp.resolve("data");
        serve();
        String id = s.createExample(false);
        s.close();
        s = null;
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("labloop.db"));
                Statement st = db.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            assertThat(st.executeUpdate("UPDATE events SET actor = 'user:mallory' WHERE seq = 1"))
                    .isEqualTo(1);
        }
        serve();
        HttpResponse<String> detail = s.get("/api/v1/campaigns/" + id, s.admin);
        assertThat(detail.statusCode()).isEqualTo(409);
        assertThat(s.json(detail).get("code").asText()).isEqualTo("altered_log");
        assertThat(s.json(detail).get("message").asText())
                .contains("not intact")
                .contains("labloop verify");
        assertThat(s.get("/api/v1/campaigns/" + id + "/dataset", s.admin).statusCode())
                .isEqualTo(409);
        JsonNode listed = s.getJson("/api/v1/campaigns").get("items").get(0);
        assertThat(listed.get("status").asText()).isEqualTo("altered");
        assertThat(listed.has("best")).isFalse();
        HttpRequest.Builder stream = HttpRequest.newBuilder(URI.create(s.base + "/api/v1/campaigns/" + id + "/stream"))
                .header("Accept", "text/event-stream");
        assertThat(s.send(stream, s.admin).statusCode()).isEqualTo(409);
    }
}
