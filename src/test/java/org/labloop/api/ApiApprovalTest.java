package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing a campaign through the API before it runs: who may, what is refused, and that start waits for it. */
class ApiApprovalTest {
    @TempDir
    Path data;

    TestServer s;

    @BeforeEach
    void start() {
        s = new TestServer(data, 0);
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private HttpResponse<String> sign(String id, String bearer, String token, String meaning) {
        ObjectNode body = TestServer.JSON.createObjectNode();
        if (token != null) {
            body.put("token", token);
        }
        if (meaning != null) {
            body.put("meaning", meaning);
        }
        return s.post("/api/v1/campaigns/" + id + "/sign", body.toString(), bearer);
    }

    private long events(String id) {
        return s.getJson("/api/v1/campaigns/" + id).get("last_seq").asLong();
    }

    @Test
    void createWithStart_ofACampaignAskingForSignatures_isCreatedNotStarted_andStartIs409UntilSigned() {
        HttpResponse<String> created =
                s.post("/api/v1/campaigns", "{\"example\":\"snar-approval\",\"start\":true}", s.admin);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode c = s.json(created);
        String id = c.get("id").asText();
        assertThat(c.get("status").asText()).isEqualTo("created");
        assertThat(c.get("not_started").asText()).contains("waits for signatures", "/sign");
        assertThat(c.get("approval").get("signatures_needed").asInt()).isEqualTo(2);
        assertThat(c.get("approval").get("missing").asInt()).isEqualTo(2);

        HttpResponse<String> start = s.post("/api/v1/campaigns/" + id + "/start", "{}", s.admin);
        assertThat(start.statusCode()).isEqualTo(409);
        assertThat(s.json(start).get("code").asText()).isEqualTo("approval_required");
        assertThat(s.json(start).get("message").asText()).contains("needs 2 signatures before it runs");
        assertThat(events(id)).isEqualTo(1);
    }

    @Test
    void aRevokedTokenStillInUse_isRefused_andTheRefusalSaysWhoseItWas() {
        String rita = s.server.tokens().create("rita", Principal.OPERATOR).token();
        assertThat(s.get("/api/v1/campaigns", rita).statusCode()).isEqualTo(200);
        assertThat(s.server.tokens().revoke("rita")).isEqualTo(1);

        HttpResponse<String> refused = s.get("/api/v1/campaigns", rita);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).as("the caller learns nothing more").doesNotContain("rita");
        assertThat(s.get("/api/v1/campaigns", "llt_never-issued").statusCode()).isEqualTo(401);
        assertThat(s.server.tokens().refusals(10))
                .extracting(r -> r.principal() + " | " + r.detail())
                .containsExactly("rita | GET /api/v1/campaigns (a revoked token)", "? | GET /api/v1/campaigns");
    }

    @Test
    void signing_needsTheSignersOwnTokenAgain_anOperatorRole_andOneSignaturePerPerson_thenTheCampaignRuns() {
        String id = s.json(s.post("/api/v1/campaigns", "{\"example\":\"snar-approval\"}", s.admin))
                .get("id")
                .asText();
        String bob = s.server.tokens().create("bob", Principal.ADMIN).token();

        assertThat(sign(id, s.admin, null, null).statusCode()).isEqualTo(400);
        // A mistyped token is a 403: the session it was sent with stays valid.
        assertThat(sign(id, s.admin, "llt_nonsense", null).statusCode()).isEqualTo(403);
        HttpResponse<String> othersToken = sign(id, s.admin, bob, null);
        assertThat(othersToken.statusCode()).isEqualTo(403);
        assertThat(s.json(othersToken).get("message").asText()).contains("is not a valid token of 'alice'");
        HttpResponse<String> viewer = sign(id, s.viewer, s.viewer, null);
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(s.json(viewer).get("message").asText()).contains("which may only read");
        assertThat(s.get("/api/v1/campaigns", "llt_stolen-or-revoked").statusCode())
                .isEqualTo(401);
        assertThat(s.server.tokens().refusals(10))
                .extracting(r -> r.kind() + " " + r.principal() + " " + r.campaignId() + " " + r.source())
                .containsExactly(
                        "signature_refused alice " + id + " api 127.0.0.1",
                        "signature_refused alice " + id + " api 127.0.0.1",
                        "signature_refused victor " + id + " api 127.0.0.1",
                        "token_refused ? null api 127.0.0.1");
        assertThat(s.server.tokens().refusals(10)).noneMatch(r -> r.detail().contains("llt_"));
        assertThat(sign(id, s.admin, s.admin, "x".repeat(201)).statusCode()).isEqualTo(400);
        assertThat(sign(id, s.admin, s.admin, "  ").statusCode())
                .as("a blank meaning")
                .isEqualTo(400);
        assertThat(sign(id, s.admin, s.admin, "approved\u202Edeniers").statusCode())
                .as("a text-direction override")
                .isEqualTo(400);
        assertThat(s.post("/api/v1/campaigns/" + id + "/sign", "{\"token\":\"" + s.admin + "\",\"why\":1}", s.admin)
                        .statusCode())
                .isEqualTo(400);
        assertThat(events(id)).as("nothing refused is written").isEqualTo(1);

        HttpResponse<String> alice = sign(id, s.admin, s.admin, "approved: reagents checked");
        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(201);
        JsonNode approval = s.json(alice).get("campaign").get("approval");
        assertThat(approval.get("missing").asInt()).isEqualTo(1);
        assertThat(approval.get("signatures").get(0).get("signer").asText()).isEqualTo("alice");
        assertThat(approval.get("signatures").get(0).get("role").asText()).isEqualTo("operator");
        assertThat(approval.get("signatures").get(0).get("meaning").asText()).isEqualTo("approved: reagents checked");

        HttpResponse<String> again = sign(id, s.admin, s.admin, null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(s.json(again).get("message").asText()).contains("'alice' has already signed");

        HttpResponse<String> second = sign(id, bob, bob, null);
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(s.json(second).get("campaign").get("approval").get("missing").asInt())
                .isZero();
        assertThat(s.getJson("/api/v1/campaigns/" + id + "/events?type=CampaignSigned")
                        .get("items")
                        .size())
                .isEqualTo(2);

        assertThat(s.post("/api/v1/campaigns/" + id + "/start", "{}", s.admin).statusCode())
                .isEqualTo(202);
        s.awaitStatus(id, "completed", 120);
        String carol = s.server.tokens().create("carol", Principal.OPERATOR).token();
        HttpResponse<String> late = sign(id, carol, carol, null);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(s.json(late).get("message").asText()).contains("a signature approves a campaign before it runs");
    }

    @Test
    void aSignatureWrittenByAnotherProcess_isSeenByTheServer_whichSignsAndStartsAfterIt() throws Exception {
        String id = s.json(s.post("/api/v1/campaigns", "{\"example\":\"snar-approval\"}", s.admin))
                .get("id")
                .asText();
        String bob = s.server.tokens().create("bob", Principal.ADMIN).token();
        java.nio.file.Path bobsToken = java.nio.file.Files.writeString(data.resolve("bob.token"), bob + "\n");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = org.labloop.cli.Main.execute(
                new String[] {"sign", id, "--data", data.toString(), "--token-file", bobsToken.toString()},
                new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();

        HttpResponse<String> alice = sign(id, s.admin, s.admin, null);
        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(201);
        assertThat(s.post("/api/v1/campaigns/" + id + "/start", "{}", s.admin).statusCode())
                .isEqualTo(202);
        JsonNode done = s.awaitStatus(id, "completed", 120);
        assertThat(done.get("approval").get("signatures"))
                .extracting(g -> g.get("signer").asText())
                .containsExactly("bob", "alice");
    }

    @Test
    void abortThroughTheApi_ofACampaignSignedFromATerminal_isRecordedAfterTheSignature() throws Exception {
        String id = s.json(s.post("/api/v1/campaigns", "{\"example\":\"snar-approval\"}", s.admin))
                .get("id")
                .asText();
        java.nio.file.Path token = java.nio.file.Files.writeString(data.resolve("alice.token"), s.admin + "\n");
        java.io.StringWriter err = new java.io.StringWriter();
        int code = org.labloop.cli.Main.execute(
                new String[] {"sign", id, "--data", data.toString(), "--token-file", token.toString()},
                new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();

        HttpResponse<String> abort =
                s.post("/api/v1/campaigns/" + id + "/abort", "{\"reason\":\"wrong lot\"}", s.admin);

        assertThat(abort.statusCode()).as(abort.body()).isEqualTo(202);
        JsonNode events = s.getJson("/api/v1/campaigns/" + id + "/events").get("items");
        assertThat(events)
                .extracting(e -> e.get("type").asText())
                .containsExactly("CampaignCreated", "CampaignSigned", "CampaignAborted");
    }
}
