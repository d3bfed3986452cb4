package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every read endpoint against one finished SnAr campaign on a real server and store. */
class ApiReadTest {
    @TempDir
    static Path data;

    static TestServer s;
    static String id;

    @BeforeAll
    static void runOneCampaign() {
        s = new TestServer(data, 0);
        id = s.createExample(true);
        s.awaitStatus(id, "completed", 60);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static List<String> readEndpoints() {
        String c = "/api/v1/campaigns/" + id;
        return List.of(
                "/api/v1/me",
                "/api/v1/examples",
                "/api/v1/examples/snar",
                "/api/v1/campaigns",
                c,
                c + "/experiments",
                c + "/experiments/E0001",
                c + "/measurements",
                c + "/steps",
                c + "/devices",
                "/api/v1/devices",
                c + "/events",
                c + "/dataset",
                "/metrics");
    }

    @Test
    void health_needsNoToken_andSaysOk() {
        HttpResponse<String> r = s.get("/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(s.json(r).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void everyReadEndpoint_withoutToken_is401WithJsonError() {
        for (String path : readEndpoints()) {
            HttpResponse<String> r = s.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate"))
                    .as(path)
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            JsonNode e = s.json(r);
            assertThat(e.get("code").asText()).isEqualTo("unauthorized");
            assertThat(e.get("message").asText()).contains("Bearer");
            assertThat(e.has("field")).isTrue();
        }
    }

    @Test
    void everyReadEndpoint_withAnUnknownToken_is401() {
        for (String path : readEndpoints()) {
            assertThat(s.get(path, "llt_not-a-real-token").statusCode())
                    .as(path)
                    .isEqualTo(401);
            assertThat(s.get(path, "garbage").statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void everyReadEndpoint_withAViewerToken_is200() {
        for (String path : readEndpoints()) {
            assertThat(s.get(path, s.viewer).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void me_saysWhoTheTokenBelongsTo() {
        JsonNode me = s.getJson("/api/v1/me");
        assertThat(me.get("name").asText()).isEqualTo("alice");
        assertThat(me.get("role").asText()).isEqualTo("operator");
    }

    @Test
    void campaignList_showsStateProgressAndBest() {
        JsonNode list = s.getJson("/api/v1/campaigns");
        assertThat(list.get("total").asInt()).isEqualTo(1);
        JsonNode c = list.get("items").get(0);
        assertThat(c.get("id").asText()).isEqualTo(id);
        assertThat(c.get("status").asText()).isEqualTo("completed");
        assertThat(c.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(c.get("experiments").get("completed").asInt()).isEqualTo(40);
        assertThat(c.get("best").get("sty").get("value").asDouble()).isGreaterThan(1000);
        assertThat(s.getJson("/api/v1/campaigns?status=running").get("total").asInt())
                .isZero();
        assertThat(s.getJson("/api/v1/campaigns?status=completed,running")
                        .get("total")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void campaignDetail_describesParametersObjectivesDevicesAndProtocol() {
        JsonNode c = s.getJson("/api/v1/campaigns/" + id);
        assertThat(c.get("seed").asLong()).isEqualTo(7);
        assertThat(names(c.get("parameters"))).containsExactly("tau", "equiv", "conc", "temperature");
        assertThat(names(c.get("objectives"))).containsExactly("sty", "e_factor");
        // The demo sets neither a target nor a threshold: both are given, as null.
        assertThat(c.at("/objectives/0").has("target")).isTrue();
        assertThat(c.at("/objectives/0/target").isNull()).isTrue();
        assertThat(c.at("/objectives/1/threshold").isNull()).isTrue();
        assertThat(names(c.get("devices"))).containsExactly("handler", "arm", "reactor", "hplc");
        assertThat(names(c.get("protocol").get("steps")))
                .containsExactly("dispense", "load_reactor", "react", "unload_reactor", "analyse");
        assertThat(c.get("sources").get(0).get("path").asText()).isEqualTo("examples/snar/campaign.yaml");
    }

    @Test
    void unknownCampaign_is404NamingTheField() {
        HttpResponse<String> r = s.get("/api/v1/campaigns/nope-1", s.admin);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(s.json(r).get("code").asText()).isEqualTo("not_found");
        assertThat(s.json(r).get("field").asText()).isEqualTo("id");
        for (String sub : List.of("/experiments", "/events", "/devices", "/dataset", "/stream", "/steps")) {
            assertThat(s.get("/api/v1/campaigns/nope-1" + sub, s.admin).statusCode())
                    .as(sub)
                    .isEqualTo(404);
        }
    }

    @Test
    void unknownEndpoint_is404Json() {
        HttpResponse<String> r = s.get("/api/v1/nothing-here", s.admin);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(s.json(r).get("code").asText()).isEqualTo("not_found");
    }

    @Test
    void experiments_arePagedInIndexOrder() {
        JsonNode p2 = s.getJson("/api/v1/campaigns/" + id + "/experiments?page=2&size=15");
        assertThat(p2.get("total").asInt()).isEqualTo(40);
        assertThat(p2.get("page").asInt()).isEqualTo(2);
        assertThat(p2.get("items")).hasSize(15);
        assertThat(p2.get("items").get(0).get("id").asText()).isEqualTo("E0016");
        JsonNode p3 = s.getJson("/api/v1/campaigns/" + id + "/experiments?page=3&size=15");
        assertThat(p3.get("items")).hasSize(10);
        assertThat(s.getJson("/api/v1/campaigns/" + id + "/experiments?page=9&size=15")
                        .get("items"))
                .isEmpty();
        JsonNode x = p2.get("items").get(0);
        List<String> order = new java.util.ArrayList<>();
        x.get("parameters").fieldNames().forEachRemaining(order::add);
        assertThat(order).containsExactly("tau", "equiv", "conc", "temperature");
        assertThat(x.get("measurements").get("sty").get("device").asText()).isEqualTo("hplc");
        assertThat(x.get("steps")).hasSize(5);
        assertThat(x.get("parameters").has("tau")).isTrue();
    }

    @Test
    void experiments_filterByStatus() {
        assertThat(s.getJson("/api/v1/campaigns/" + id + "/experiments?status=completed")
                        .get("total")
                        .asInt())
                .isEqualTo(40);
        assertThat(s.getJson("/api/v1/campaigns/" + id + "/experiments?status=failed,running")
                        .get("total")
                        .asInt())
                .isZero();
    }

    @Test
    void badPagingOrFilters_are400NamingTheParameter() {
        String x = "/api/v1/campaigns/" + id + "/experiments";
        assertBad(x + "?page=0", "page");
        assertBad(x + "?page=abc", "page");
        assertBad(x + "?size=0", "size");
        assertBad(x + "?size=100000", "size");
        assertBad(x + "?status=sleeping", "status");
        assertBad("/api/v1/campaigns/" + id + "/events?limit=0", "limit");
        assertBad("/api/v1/campaigns/" + id + "/events?after=-1", "after");
        assertBad("/api/v1/campaigns/" + id + "/dataset?format=xlsx", "format");
        assertBad("/api/v1/campaigns?size=-3", "size");
    }

    @Test
    void unknownOrRepeatedQueryParameters_are400_ratherThanIgnored() {
        String x = "/api/v1/campaigns/" + id + "/experiments";
        assertBad(x + "?stauts=failed", "stauts");
        assertThat(s.json(s.get(x + "?stauts=failed", s.admin)).get("message").asText())
                .isEqualTo("unknown query parameter 'stauts'; did you mean 'status'?");
        assertBad("/api/v1/campaigns/" + id + "/events?typ=CampaignPaused", "typ");
        assertBad("/api/v1/campaigns/" + id + "/events?after=1&after=2", "after");
        assertBad("/api/v1/campaigns?state=running", "state");
        assertThat(s.json(s.get("/api/v1/campaigns/" + id + "?verbose=1", s.admin))
                        .get("message")
                        .asText())
                .isEqualTo("unknown query parameter 'verbose'; this endpoint takes no query parameters");
        assertThat(s.get(x + "?status=completed&page=1&size=5", s.admin).statusCode())
                .isEqualTo(200);
    }

    @Test
    void eventStreamAccept_admitsTheStreamAndWildcards_only() {
        assertThat(ApiServer.acceptsEventStream("text/event-stream")).isTrue();
        assertThat(ApiServer.acceptsEventStream("*/*")).isTrue();
        assertThat(ApiServer.acceptsEventStream("application/json;q=0.9, text/*;q=0.5"))
                .isTrue();
        assertThat(ApiServer.acceptsEventStream("application/json")).isFalse();
        assertThat(ApiServer.acceptsEventStream(null)).isFalse();
    }

    private static void assertBad(String path, String field) {
        HttpResponse<String> r = s.get(path, s.admin);
        assertThat(r.statusCode()).as(path).isEqualTo(400);
        JsonNode e = s.json(r);
        assertThat(e.get("code").asText()).as(path).isEqualTo("bad_request");
        assertThat(e.get("field").asText()).as(path).isEqualTo(field);
        assertThat(e.get("message").asText()).as(path).isNotBlank();
    }

    @Test
    void experimentDetail_givesFullProvenance() {
        JsonNode x = s.getJson("/api/v1/campaigns/" + id + "/experiments/E0003");
        assertThat(x.get("planner").asText()).isEqualTo("bayesian");
        assertThat(x.get("planner_version").asText()).isNotBlank();
        assertThat(x.get("rationale").asText()).isNotBlank();
        assertThat(x.get("seed").asLong()).isEqualTo(7);
        // Simulated devices: the times are on the virtual clock, and the view says so.
        assertThat(x.get("time_mode").asText()).isEqualTo("virtual");
        assertThat(x.get("sources")).hasSize(3);
        assertThat(x.get("measurements").get("e_factor").get("method").asText()).isEqualTo("emulator:snar");
        List<String> types = new ArrayList<>();
        x.get("events").forEach(e -> {
            types.add(e.get("type").asText());
            assertThat(e.get("body").get("experimentId").asText()).isEqualTo("E0003");
        });
        assertThat(types).startsWith("ExperimentProposed").endsWith("ExperimentCompleted");
        assertThat(types).contains("StepStarted", "StepCompleted", "MeasurementRecorded");
    }

    @Test
    void unknownExperiment_is404NamingEid() {
        HttpResponse<String> r = s.get("/api/v1/campaigns/" + id + "/experiments/E9999", s.admin);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(s.json(r).get("field").asText()).isEqualTo("eid");
    }

    @Test
    void measurements_filterByNameDeviceAndExperiment() {
        JsonNode all = s.getJson("/api/v1/campaigns/" + id + "/measurements?size=1000");
        assertThat(all.get("total").asInt()).isEqualTo(80);
        JsonNode sty = s.getJson("/api/v1/campaigns/" + id + "/measurements?name=sty&size=5");
        assertThat(sty.get("total").asInt()).isEqualTo(40);
        sty.get("items").forEach(m -> assertThat(m.get("name").asText()).isEqualTo("sty"));
        assertThat(s.getJson("/api/v1/campaigns/" + id + "/measurements?device=reactor")
                        .get("total")
                        .asInt())
                .isZero();
        JsonNode one = s.getJson("/api/v1/campaigns/" + id + "/measurements?experiment=E0007");
        assertThat(one.get("total").asInt()).isEqualTo(2);
        assertThat(one.get("items").get(0).get("experiment").asText()).isEqualTo("E0007");
    }

    @Test
    void steps_listDeviceActivityInStartOrder() {
        JsonNode steps = s.getJson("/api/v1/campaigns/" + id + "/steps?size=1000");
        assertThat(steps.get("total").asInt()).isEqualTo(200);
        double prev = -1;
        for (JsonNode st : steps.get("items")) {
            assertThat(st.get("start_min").asDouble()).isGreaterThanOrEqualTo(prev);
            assertThat(st.get("end_min").asDouble())
                    .isGreaterThanOrEqualTo(st.get("start_min").asDouble());
            prev = st.get("start_min").asDouble();
        }
        JsonNode hplc = s.getJson("/api/v1/campaigns/" + id + "/steps?device=hplc&size=1000");
        assertThat(hplc.get("total").asInt()).isEqualTo(40);
    }

    @Test
    void devices_reportStateAndWork() {
        JsonNode d = s.getJson("/api/v1/campaigns/" + id + "/devices").get("items");
        assertThat(names(d)).containsExactly("handler", "arm", "reactor", "hplc");
        for (JsonNode dev : d) {
            assertThat(dev.get("state").asText()).isEqualTo("offline");
            assertThat(dev.get("steps_completed").asInt()).isPositive();
            assertThat(dev.get("utilization").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(d.get(1).get("steps_completed").asInt()).isEqualTo(80);
        JsonNode all = s.getJson("/api/v1/devices").get("items");
        assertThat(all).hasSize(1);
        assertThat(all.get(0).get("workcell").asText()).isEqualTo("snar-flow-cell");
        assertThat(all.get(0).get("devices")).hasSize(4);
    }

    @Test
    void events_arePagedBySeqAndFilterByType() {
        JsonNode p1 = s.getJson("/api/v1/campaigns/" + id + "/events?limit=10");
        assertThat(p1.get("items")).hasSize(10);
        assertThat(p1.get("items").get(0).get("seq").asLong()).isEqualTo(1);
        assertThat(p1.get("items").get(0).get("type").asText()).isEqualTo("CampaignCreated");
        assertThat(p1.get("items").get(0).get("actor").asText()).isEqualTo("user:alice");
        assertThat(p1.get("next_after").asLong()).isEqualTo(10);
        JsonNode p2 = s.getJson("/api/v1/campaigns/" + id + "/events?after=10&limit=10");
        assertThat(p2.get("items").get(0).get("seq").asLong()).isEqualTo(11);
        assertThat(p2.get("items").get(0).get("prev_hash").asText())
                .isEqualTo(p1.get("items").get(9).get("hash").asText());
        JsonNode done = s.getJson("/api/v1/campaigns/" + id + "/events?type=ExperimentCompleted&limit=1000");
        assertThat(done.get("items")).hasSize(40);
        long last = done.get("last_seq").asLong();
        JsonNode end = s.getJson("/api/v1/campaigns/" + id + "/events?after=" + last);
        assertThat(end.get("items")).isEmpty();
        assertThat(end.get("next_after").asLong()).isEqualTo(last);
    }

    @Test
    void dataset_downloadsAsCsvAndJson() throws Exception {
        HttpResponse<String> csv = s.get("/api/v1/campaigns/" + id + "/dataset?format=csv", s.admin);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains(id + ".csv");
        String[] lines = csv.body().split("\n");
        assertThat(lines).hasSize(41);
        assertThat(lines[0]).contains("experiment_id", "sty", "e_factor", "analyse_device");
        HttpResponse<String> json = s.get("/api/v1/campaigns/" + id + "/dataset?format=json", s.admin);
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(new ObjectMapper().readTree(json.body())).isNotNull();
    }

    @Test
    void stream_replaysEveryEventInOrder_andResumesFromLastEventId() throws Exception {
        long last = s.getJson("/api/v1/campaigns/" + id).get("last_seq").asLong();
        List<Long> seqs = readStream("?after=0", null, (int) last);
        assertThat(seqs).hasSize((int) last);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(i + 1L);
        }
        List<Long> tail = readStream("", Long.toString(last - 3), 3);
        assertThat(tail).containsExactly(last - 2, last - 1, last);
    }

    @Test
    void stream_withoutToken_is401_andWithBadLastEventId_is400() {
        assertThat(s.get("/api/v1/campaigns/" + id + "/stream", null).statusCode())
                .isEqualTo(401);
        HttpResponse<String> bad = s.send(
                HttpRequest.newBuilder(URI.create(s.base + "/api/v1/campaigns/" + id + "/stream"))
                        .header("Last-Event-ID", "x"),
                s.admin);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(s.json(bad).get("field").asText()).isEqualTo("Last-Event-ID");
        HttpResponse<String> negative = s.send(
                HttpRequest.newBuilder(URI.create(s.base + "/api/v1/campaigns/" + id + "/stream"))
                        .header("Last-Event-ID", "-3"),
                s.admin);
        assertThat(negative.statusCode()).as("as ?after=-3 is").isEqualTo(400);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // a stream that did not end would hang the read below
    void aStreamWhoseTokenIsRevoked_ends() throws Exception {
        String token =
                s.server.tokens().create("stream-reader", Principal.VIEWER).token();
        long last = s.getJson("/api/v1/campaigns/" + id).get("last_seq").asLong();
        HttpResponse<java.io.InputStream> r = s.http.send(
                HttpRequest.newBuilder(URI.create(s.base + "/api/v1/campaigns/" + id + "/stream?after=0"))
                        .header("Accept", "text/event-stream")
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> after = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            int data = 0;
            String line;
            while (data < last && (line = in.readLine()) != null) {
                data += line.startsWith("data:") ? 1 : 0;
            }
            // The campaign has ended: the stream would stay open, with keep-alives, for as long as the client reads.
            s.server.tokens().revoke("stream-reader");
            while ((line = in.readLine()) != null) {
                after.add(line);
            }
        }
        assertThat(after).contains(": the token was revoked");
    }

    /** Reads {@code count} data messages from the stream and returns their ids. */
    static List<Long> readStream(String query, String lastEventId, int count) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create(s.base + "/api/v1/campaigns/" + id + "/stream" + query))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + s.admin)
                .timeout(Duration.ofSeconds(20));
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.io.InputStream> r = s.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Long> seqs = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (seqs.size() < count && (line = in.readLine()) != null) {
                if (line.startsWith("data:")) {
                    seqs.add(TestServer.JSON
                            .readTree(line.substring(5))
                            .get("seq")
                            .asLong());
                }
            }
        }
        return seqs;
    }

    @Test
    void metrics_exposeExperimentsStepsQueueAndPlannerLatency() {
        HttpResponse<String> r = s.get("/metrics", s.admin);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String m = r.body();
        assertThat(m).contains("labloop_experiments{campaign=\"" + id + "\",state=\"completed\"} 40");
        assertThat(m).contains("# TYPE labloop_step_duration_seconds histogram");
        assertThat(m).contains("labloop_step_duration_seconds_count{device=\"hplc\",status=\"completed\"} 40");
        assertThat(m).contains("# TYPE labloop_queue_length gauge");
        assertThat(m).contains("labloop_planner_latency_seconds_count{planner=\"bayesian\"}");
        assertThat(m).contains("labloop_campaigns{status=\"completed\"} 1");
        assertThat(m).doesNotContain("NaN");
    }

    @Test
    void openApiDocument_isServedAndDescribesExactlyTheEndpointsTheServerAnswers() throws Exception {
        HttpResponse<String> r = s.get("/openapi.yaml", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(r.body());
        Set<String> documented = new HashSet<>();
        doc.get("paths")
                .properties()
                .forEach(path -> path.getValue()
                        .fieldNames()
                        .forEachRemaining(
                                method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
        Set<String> served = s.server.endpoints();
        assertThat(served).contains("GET /api/v1/campaigns", "POST /api/v1/campaigns/{id}/start");
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void swaggerUiAndDashboard_areServedLocally() {
        for (String path : List.of(
                "/",
                "/swagger.html",
                "/app.js",
                "/app.css",
                "/webjars/swagger-ui/5.34.1/swagger-ui-bundle.js",
                "/webjars/swagger-ui/5.34.1/swagger-ui.css",
                "/webjars/echarts/5.3.1/dist/echarts.min.js")) {
            assertThat(s.get(path, null).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(s.get("/", null).body()).contains("/webjars/echarts/5.3.1/dist/echarts.min.js");
        assertThat(s.get("/swagger.html", null).body()).contains("/openapi.yaml");
    }

    @Test
    void examples_listAndShowTheShippedCampaigns() {
        assertThat(s.getJson("/api/v1/examples").get("items").get(0).get("name").asText())
                .isEqualTo("snar");
        JsonNode ex = s.getJson("/api/v1/examples/snar");
        assertThat(ex.get("campaign").asText()).contains("campaign: snar-demo");
        assertThat(ex.get("workcell").asText()).contains("hplc");
        assertThat(s.get("/api/v1/examples/../../etc", s.admin).statusCode()).isEqualTo(404);
        assertThat(s.get("/api/v1/examples/nothing", s.admin).statusCode()).isEqualTo(404);
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get("name").asText()));
        return out;
    }
}
