package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Campaigns started together through the API share one workcell and one plan, higher priority first. */
class ApiSharedWorkcellTest {
    @TempDir
    Path data;

    TestServer s;

    @BeforeEach
    void start() {
        s = new TestServer(data, 0); // as fast as possible
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private String create(String campaignFile, String workcellText) throws Exception {
        return create(campaignFile, workcellText, t -> t);
    }

    private String create(String campaignFile, String workcellText, java.util.function.UnaryOperator<String> edit)
            throws Exception {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.put("campaign", edit.apply(Files.readString(Path.of(campaignFile))));
        body.put("workcell", workcellText);
        body.put("protocol", Files.readString(Path.of("examples/snar/protocol.yaml")));
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return s.json(r).get("id").asText();
    }

    private static String workcell() throws Exception {
        return Files.readString(Path.of("examples/snar/workcell.yaml"));
    }

    private List<JsonNode> events(String id) {
        List<JsonNode> out = new ArrayList<>();
        s.getJson("/api/v1/campaigns/" + id + "/events?limit=1000").get("items").forEach(out::add);
        return out;
    }

    private Instant lastEventAt(String id) {
        List<JsonNode> events = events(id);
        return Instant.parse(events.get(events.size() - 1).get("at").asText());
    }

    @Test
    void health_countsOnlyUnfinishedCampaigns_whenOnePartnerFinishedBeforeTheOther() throws Exception {
        String urgent = create("examples/snar-shared/urgent.yaml", workcell());
        String background =
                create("examples/snar-shared/background.yaml", workcell(), t -> t.replace("budget: 20", "budget: 150"));
        HttpResponse<String> r = s.post(
                "/api/v1/campaigns/" + background + "/start", "{\"together_with\": [\"" + urgent + "\"]}", s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        s.awaitStatus(background, "running", 60);
        HttpResponse<String> pause = s.post("/api/v1/campaigns/" + background + "/pause", "{}", s.admin);
        assertThat(pause.statusCode()).as(pause.body()).isEqualTo(202);

        s.awaitStatus(urgent, "completed", 120);
        s.awaitStatus(background, "paused", 120);
        assertThat(s.getJson("/health").get("campaigns_running").asInt()).isEqualTo(1);
        assertThat(s.getJson("/api/v1/campaigns/" + urgent).get("live").asBoolean())
                .isFalse();
        assertThat(s.getJson("/api/v1/campaigns/" + background).get("live").asBoolean())
                .isTrue();

        assertThat(s.post("/api/v1/campaigns/" + background + "/resume", "{}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        s.awaitStatus(background, "completed", 120);
        assertThat(s.getJson("/health").get("campaigns_running").asInt()).isZero();
    }

    @Test
    void startTogether_runsBothOnOneWorkcell_theUrgentOneFinishingFirst_andRecordsThePartners() throws Exception {
        String urgent = create("examples/snar-shared/urgent.yaml", workcell());
        String background = create("examples/snar-shared/background.yaml", workcell());

        HttpResponse<String> r = s.post(
                "/api/v1/campaigns/" + background + "/start", "{\"together_with\": [\"" + urgent + "\"]}", s.admin);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        s.awaitStatus(urgent, "completed", 120);
        s.awaitStatus(background, "completed", 120);
        assertThat(lastEventAt(urgent)).isBefore(lastEventAt(background));
        for (String[] pair : List.of(new String[] {urgent, background}, new String[] {background, urgent})) {
            JsonNode started = events(pair[0]).stream()
                    .filter(e -> e.get("type").asText().equals("CampaignStarted"))
                    .findFirst()
                    .orElseThrow();
            assertThat(started.get("body").get("sharedWith").get(0).asText()).isEqualTo(pair[1]);
        }
    }

    @Test
    void startTogether_withAnUnknownId_orCampaignsOnDifferentWorkcells_isRefused_andStartsNothing() throws Exception {
        String urgent = create("examples/snar-shared/urgent.yaml", workcell());
        String other = create(
                "examples/snar-shared/background.yaml",
                workcell().replace("workcell: snar-flow-cell", "workcell: other-cell"));

        HttpResponse<String> unknown =
                s.post("/api/v1/campaigns/" + urgent + "/start", "{\"together_with\": [\"nope-1\"]}", s.admin);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("together_with").contains("no campaign 'nope-1'");
        HttpResponse<String> itself =
                s.post("/api/v1/campaigns/" + urgent + "/start", "{\"together_with\": [\"" + urgent + "\"]}", s.admin);
        assertThat(itself.statusCode()).isEqualTo(400);
        assertThat(itself.body()).contains("names " + urgent + " itself");

        HttpResponse<String> notAList =
                s.post("/api/v1/campaigns/" + urgent + "/start", "{\"together_with\": \"" + other + "\"}", s.admin);
        assertThat(notAList.statusCode()).isEqualTo(400);
        assertThat(notAList.body()).contains("together_with");

        HttpResponse<String> differentCells =
                s.post("/api/v1/campaigns/" + urgent + "/start", "{\"together_with\": [\"" + other + "\"]}", s.admin);
        assertThat(differentCells.statusCode()).as(differentCells.body()).isEqualTo(400);
        assertThat(differentCells.body()).contains("together_with").contains("workcell");

        assertThat(s.getJson("/api/v1/campaigns/" + urgent).get("status").asText())
                .isEqualTo("created");
        assertThat(s.getJson("/api/v1/campaigns/" + other).get("status").asText())
                .isEqualTo("created");
    }

    @Test
    void afterARestart_startingOneOfASharedPair_startsItsUnfinishedPartnerWithIt() throws Exception {
        s.close();
        s = new TestServer(data, 150); // slow, so the pair is still running when the server stops
        String urgent = create("examples/snar-shared/urgent.yaml", workcell());
        String background = create("examples/snar-shared/background.yaml", workcell());
        assertThat(s.post(
                                "/api/v1/campaigns/" + urgent + "/start",
                                "{\"together_with\": [\"" + background + "\"]}",
                                s.admin)
                        .statusCode())
                .isEqualTo(202);
        s.awaitStatus(urgent, "running", 30);
        s.close();

        s = new TestServer(data, 0);
        HttpResponse<String> r = s.post("/api/v1/campaigns/" + urgent + "/start", "", s.admin);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        s.awaitStatus(urgent, "completed", 120);
        s.awaitStatus(background, "completed", 120);
    }
}
