package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating and controlling campaigns through the API: valid and invalid input, roles, state conflicts. */
class ApiWriteTest {
    private static final Path EXAMPLE = Path.of("examples", "snar");

    @TempDir
    Path data;

    TestServer s;

    @BeforeEach
    void start() {
        // Slow enough (about 100 s for the demo) that a campaign is still running while it is controlled.
        s = new TestServer(data, 150);
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private static String file(String name) throws Exception {
        return Files.readString(EXAMPLE.resolve(name));
    }

    private ObjectNode yamlBody() throws Exception {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.put("campaign", file("campaign.yaml"));
        body.put("workcell", file("workcell.yaml"));
        body.put("protocol", file("protocol.yaml"));
        return body;
    }

    private int campaignCount() {
        return s.getJson("/api/v1/campaigns").get("total").asInt();
    }

    @Test
    void devices_listEachRunningSimulatedCampaignOnAWorkcell_withItsOwnDevices() {
        String first = s.createExample(true);
        String second = s.createExample(true);
        s.awaitStatus(first, "running", 30);
        s.awaitStatus(second, "running", 30);

        JsonNode items = s.getJson("/api/v1/devices").get("items");
        assertThat(items).hasSize(2);
        assertThat(items).extracting(i -> i.get("campaign").asText()).containsExactlyInAnyOrder(first, second);
        for (JsonNode item : items) {
            assertThat(item.get("workcell").asText()).isEqualTo("snar-flow-cell");
            assertThat(item.get("live").asBoolean()).isTrue();
            assertThat(item.get("time_mode").asText()).isEqualTo("virtual");
            assertThat(item.get("devices")).hasSize(4);
        }
        for (String id : List.of(first, second)) {
            s.post("/api/v1/campaigns/" + id + "/abort", "{\"reason\":\"test over\"}", s.admin);
            s.awaitStatus(id, "aborted", 30);
        }
        // Nothing runs on the workcell now: its latest campaign stands for it.
        JsonNode after = s.getJson("/api/v1/devices").get("items");
        assertThat(after).hasSize(1);
        assertThat(after.get(0).get("campaign").asText()).isEqualTo(second);
        assertThat(after.get(0).get("live").asBoolean()).isFalse();
    }

    @Test
    void createFromYamlTexts_is201WithLocation_andLeavesTheCampaignCreated() throws Exception {
        ObjectNode body = yamlBody();
        body.put("seed", 11);
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode c = s.json(r);
        assertThat(r.headers().firstValue("Location"))
                .hasValue("/api/v1/campaigns/" + c.get("id").asText());
        assertThat(c.get("status").asText()).isEqualTo("created");
        assertThat(c.get("seed").asLong()).isEqualTo(11);
        // Before it starts, a campaign on simulated devices already says its time will be virtual.
        assertThat(c.get("time_mode").asText()).isEqualTo("virtual");
        JsonNode first = s.getJson("/api/v1/campaigns/" + c.get("id").asText() + "/events")
                .get("items")
                .get(0);
        assertThat(first.get("actor").asText()).isEqualTo("user:alice");
        assertThat(first.get("body").get("sources").get(1).get("path").asText()).isEqualTo("workcell.yaml");
    }

    @Test
    void aCampaignWithConstraints_showsThemInItsDetail() throws Exception {
        ObjectNode body = yamlBody();
        String campaign = file("campaign.yaml");
        assertThat(campaign).contains("budget: 40");
        body.put("campaign", campaign.replace("budget: 40", "constraints: [\"e_factor <= 9\"]\nbudget: 8"));
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = s.json(r).get("id").asText();
        JsonNode detail = s.getJson("/api/v1/campaigns/" + id);
        assertThat(detail.get("constraints")).hasSize(1);
        assertThat(detail.get("constraints").get(0).asText()).isEqualTo("e_factor <= 9");

        assertThat(s.post("/api/v1/campaigns/" + id + "/start", "", s.admin).statusCode())
                .isEqualTo(202);
        s.awaitStatus(id, "completed", 60);
        JsonNode items = s.getJson("/api/v1/campaigns/" + id + "/experiments").get("items");
        assertThat(items).isNotEmpty();
        for (JsonNode x : items) {
            if (x.get("status").asText().equals("completed")) {
                double e = x.get("measurements").get("e_factor").get("value").asDouble();
                assertThat(x.get("feasible").asBoolean()).as(x.toString()).isEqualTo(e <= 9);
            } else {
                assertThat(x.get("feasible").isNull()).isTrue();
            }
        }
    }

    @Test
    void createFromJsonObjects_works() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.set("campaign", yaml.readTree(file("campaign.yaml")));
        body.set("workcell", yaml.readTree(file("workcell.yaml")));
        body.set("protocol", yaml.readTree(file("protocol.yaml")));
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(s.json(r).get("budget").asInt()).isEqualTo(40);
    }

    @Test
    void invalidCampaignFile_is400WithPositionedProblems_andCreatesNothing() throws Exception {
        ObjectNode body = yamlBody();
        body.put(
                "campaign",
                file("campaign.yaml").replace("budget: 40", "budget: -4").replace("type: bayesian", "type: bayes"));
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode e = s.json(r);
        assertThat(e.get("code").asText()).isEqualTo("invalid_campaign");
        assertThat(e.get("field").asText()).isEqualTo("campaign");
        assertThat(e.get("problems").size()).isGreaterThanOrEqualTo(2);
        JsonNode p = e.get("problems").get(0);
        assertThat(p.get("file").asText()).isEqualTo("campaign.yaml");
        assertThat(p.get("line").asInt()).isPositive();
        assertThat(p.get("column").asInt()).isPositive();
        assertThat(p.get("hint").asText()).isNotBlank();
        assertThat(campaignCount()).isZero();
    }

    @Test
    void problemInTheWorkcell_namesTheWorkcellField() throws Exception {
        ObjectNode body = yamlBody();
        body.put("workcell", file("workcell.yaml").replace("capacity: 8", "capacity: lots"));
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(s.json(r).get("field").asText()).isEqualTo("workcell");
        assertThat(campaignCount()).isZero();
    }

    @Test
    void brokenYamlSyntax_is400() throws Exception {
        ObjectNode body = yamlBody();
        body.put("protocol", "steps: [unclosed");
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(s.json(r).get("field").asText()).isEqualTo("protocol");
        assertThat(campaignCount()).isZero();
    }

    @Test
    void malformedOrIncompleteRequests_are400NamingTheField() throws Exception {
        assertBad(s.post("/api/v1/campaigns", "{not json", s.admin), "body");
        assertBad(s.post("/api/v1/campaigns", "", s.admin), "body");
        assertBad(s.post("/api/v1/campaigns", "[1,2]", s.admin), "body");
        ObjectNode noProtocol = yamlBody();
        noProtocol.remove("protocol");
        assertBad(s.post("/api/v1/campaigns", noProtocol.toString(), s.admin), "protocol");
        ObjectNode numberCampaign = yamlBody();
        numberCampaign.put("campaign", 5);
        assertBad(s.post("/api/v1/campaigns", numberCampaign.toString(), s.admin), "campaign");
        ObjectNode badSeed = yamlBody();
        badSeed.put("seed", "seven");
        assertBad(s.post("/api/v1/campaigns", badSeed.toString(), s.admin), "seed");
        ObjectNode badStart = yamlBody();
        badStart.put("start", "yes");
        assertBad(s.post("/api/v1/campaigns", badStart.toString(), s.admin), "start");
        assertThat(s.post("/api/v1/campaigns", "{\"example\":\"nope\"}", s.admin)
                        .statusCode())
                .isEqualTo(404);
        assertThat(campaignCount()).isZero();
    }

    private void assertBad(HttpResponse<String> r, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(s.json(r).get("field").asText()).isEqualTo(field);
        assertThat(s.json(r).get("code").asText()).isEqualTo("bad_request");
    }

    @Test
    void writes_withoutToken_are401_andWithAViewerToken_are403() throws Exception {
        String id = s.createExample(false);
        List<String> writes = new ArrayList<>(List.of("/api/v1/campaigns"));
        for (String a : List.of("start", "pause", "resume", "abort")) {
            writes.add("/api/v1/campaigns/" + id + "/" + a);
        }
        for (String path : writes) {
            assertThat(s.post(path, "{\"example\":\"snar\"}", null).statusCode())
                    .as(path)
                    .isEqualTo(401);
            HttpResponse<String> r = s.post(path, "{\"example\":\"snar\"}", s.viewer);
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(s.json(r).get("code").asText()).isEqualTo("forbidden");
        }
        assertThat(campaignCount()).isEqualTo(1);
        assertThat(s.getJson("/api/v1/campaigns/" + id).get("status").asText()).isEqualTo("created");
    }

    @Test
    void login_checksTheToken() {
        HttpResponse<String> ok = s.post("/api/v1/login", "{\"token\":\"" + s.viewer + "\"}", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(s.json(ok).get("name").asText()).isEqualTo("victor");
        assertThat(s.json(ok).get("role").asText()).isEqualTo("viewer");
        assertThat(s.post("/api/v1/login", "{\"token\":\"llt_wrong\"}", null).statusCode())
                .isEqualTo(401);
        HttpResponse<String> missing = s.post("/api/v1/login", "{}", null);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(s.json(missing).get("field").asText()).isEqualTo("token");
    }

    @Test
    void revokedToken_isRefused() {
        ApiTokens.Issued t = s.server.tokens().create("temp", Principal.OPERATOR);
        assertThat(s.get("/api/v1/me", t.token()).statusCode()).isEqualTo(200);
        s.server.tokens().revoke("temp");
        assertThat(s.get("/api/v1/me", t.token()).statusCode()).isEqualTo(401);
    }

    @Test
    void tokens_areStoredOnlyAsHashes() throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("labloop.db"));
                ResultSet rs = db.createStatement().executeQuery("SELECT name, role, token_hash FROM api_tokens")) {
            List<String> hashes = new ArrayList<>();
            while (rs.next()) {
                hashes.add(rs.getString(3));
                assertThat(rs.getString(2)).isIn("operator", "viewer");
            }
            assertThat(hashes).contains(ApiTokens.hash(s.admin), ApiTokens.hash(s.viewer));
            assertThat(hashes).doesNotContain(s.admin, s.viewer);
        }
        assertThat(Files.readAllBytes(data.resolve("labloop.db")))
                .asString(java.nio.charset.StandardCharsets.ISO_8859_1)
                .doesNotContain(s.admin);
    }

    @Test
    void pauseResumeAbort_areRecordedAsTheUser_andRefusedWhenTheStateForbidsThem() {
        String id = s.createExample(false);
        String c = "/api/v1/campaigns/" + id;
        assertConflict(s.post(c + "/pause", "", s.admin));
        assertConflict(s.post(c + "/resume", "", s.admin));

        assertThat(s.post(c + "/start", "", s.admin).statusCode()).isEqualTo(202);
        assertConflict(s.post(c + "/start", "", s.admin));
        s.awaitStatus(id, "running", 10);
        assertConflict(s.post(c + "/resume", "{}", s.admin));

        HttpResponse<String> bad = s.post(c + "/pause", "{\"immediate\":\"now\"}", s.admin);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(s.json(bad).get("field").asText()).isEqualTo("immediate");
        // What goes into the audit trail is one line of plain text; an abort says why.
        for (String reason :
                new String[] {"line1\\nline2", "evil\\u202Etxt", "nul\\u0000", "sn\\u200Bar", "x".repeat(2001)}) {
            HttpResponse<String> hidden = s.post(c + "/pause", "{\"reason\":\"" + reason + "\"}", s.admin);
            assertThat(hidden.statusCode()).as(reason).isEqualTo(400);
            assertThat(s.json(hidden).get("message").asText())
                    .as(reason)
                    .contains("reason must be one line of text of at most 2000 characters")
                    .contains("this one");
        }
        for (String body : new String[] {"", "{}", "{\"reason\":\"  \"}"}) {
            HttpResponse<String> noReason = s.post(c + "/abort", body, s.admin);
            assertThat(noReason.statusCode()).as(body).isEqualTo(400);
            assertThat(s.json(noReason).get("message").asText()).as(body).contains("an abort needs a reason");
        }
        assertThat(s.getJson(c).get("status").asText()).isEqualTo("running");

        HttpResponse<String> paused = s.post(c + "/pause", "{\"reason\":\"check the reagents\"}", s.admin);
        assertThat(paused.statusCode()).isEqualTo(202);
        assertThat(s.json(paused).get("accepted").asText()).isEqualTo("pause");
        s.awaitStatus(id, "paused", 10);
        JsonNode pauseEvent =
                s.getJson(c + "/events?type=CampaignPaused").get("items").get(0);
        assertThat(pauseEvent.get("actor").asText()).isEqualTo("user:alice");
        assertThat(pauseEvent.get("body").get("reason").asText()).isEqualTo("check the reagents");

        assertThat(s.post(c + "/resume", "{\"reason\":\"reagents fine\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        s.awaitStatus(id, "running", 10);

        assertThat(s.post(c + "/abort", "{\"reason\":\"end of the test\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        JsonNode aborted = s.await(
                id,
                x -> "aborted".equals(x.get("status").asText())
                        && !x.get("live").asBoolean(),
                10);
        assertThat(aborted.get("end_reason").asText()).contains("end of the test");
        JsonNode abortEvent =
                s.getJson(c + "/events?type=CampaignAborted").get("items").get(0);
        assertThat(abortEvent.get("actor").asText()).isEqualTo("user:alice");
        assertConflict(s.post(c + "/abort", "{\"reason\":\"again\"}", s.admin));
        assertConflict(s.post(c + "/start", "", s.admin));
        assertConflict(s.post(c + "/pause", "", s.admin));
    }

    @Test
    void twoIdenticalPausesAtOnce_oneIsAccepted_theOtherIsAConflict() throws Exception {
        String id = s.createExample(true);
        s.awaitStatus(id, "running", 10);
        String path = "/api/v1/campaigns/" + id + "/pause";
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String body = "{\"reason\":\"pause " + i + "\"}";
            sent.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> s.post(path, body, s.admin)));
        }
        List<Integer> codes = new ArrayList<>();
        for (var f : sent) {
            codes.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
        }
        assertThat(codes).containsOnly(202, 409).containsOnlyOnce(202);
        s.awaitStatus(id, "paused", 10);
        assertThat(s.getJson("/api/v1/campaigns/" + id + "/events?type=CampaignPaused")
                        .get("items")
                        .size())
                .isEqualTo(1);
    }

    @Test
    void abortingACampaignThatNeverStarted_endsItAtOnce() {
        String id = s.createExample(false);
        assertThat(s.post("/api/v1/campaigns/" + id + "/abort", "{\"reason\":\"wrong plate\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        JsonNode c = s.awaitStatus(id, "aborted", 5);
        assertThat(c.get("experiments").get("total").asInt()).isZero();
    }

    @Test
    void controlOfAnUnknownCampaign_is404() {
        for (String a : List.of("start", "pause", "resume", "abort")) {
            HttpResponse<String> r = s.post("/api/v1/campaigns/ghost-1/" + a, "", s.admin);
            assertThat(r.statusCode()).as(a).isEqualTo(404);
            assertThat(s.json(r).get("field").asText()).isEqualTo("id");
        }
    }

    private void assertConflict(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(s.json(r).get("code").asText()).isEqualTo("conflict");
        assertThat(s.json(r).get("message").asText()).isNotBlank();
    }

    @Test
    void liveStream_deliversNewEventsAsTheyAreCommitted() throws Exception {
        String id = s.createExample(false);
        SseReader support = new SseReader(s, id);
        support.open(0);
        assertThat(support.next().get("type").asText()).isEqualTo("CampaignCreated");
        assertThat(s.post("/api/v1/campaigns/" + id + "/start", "", s.admin).statusCode())
                .isEqualTo(202);
        // Subscribed before the start: what arrives now was committed after the stream opened.
        JsonNode started = support.next();
        assertThat(started.get("type").asText()).isEqualTo("CampaignStarted");
        JsonNode next = support.next();
        assertThat(next.get("seq").asLong()).isEqualTo(3);
        assertThat(next.get("type").asText()).isEqualTo("ExperimentProposed");
        support.close();
        assertThat(s.post("/api/v1/campaigns/" + id + "/abort", "{\"reason\":\"end of the test\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        s.await(id, x -> !x.get("live").asBoolean(), 10);
    }
}
