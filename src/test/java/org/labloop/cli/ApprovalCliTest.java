package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.lab.ExampleCopies;
import org.labloop.lab.Lab;

/** A campaign whose file asks for signatures: nothing runs until distinct people with tokens have signed it. */
class ApprovalCliTest {
    private static final String ID = "snar-demo-1";

    @TempDir
    Path tmp;

    Path data;
    Path campaign;

    @BeforeEach
    void campaignNeedingTwoSignatures() throws Exception {
        data = tmp.resolve("data");
        campaign = ExampleCopies.snar(tmp.resolve("campaign"), 6);
        Files.writeString(campaign, Files.readString(campaign) + "approval: {signatures: 2}\n");
    }

    private Path token(String name, String role) throws Exception {
        CliTest.Result r =
                CliTest.labloop("token", "create", "--name", name, "--role", role, "--data", data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return Files.writeString(tmp.resolve(name + ".token"), r.out().strip() + "\n");
    }

    private CliTest.Result sign(Path token, String... more) {
        List<String> args = new java.util.ArrayList<>(
                List.of("sign", ID, "--data", data.toString(), "--token-file", token.toString()));
        args.addAll(List.of(more));
        return CliTest.labloop(args.toArray(String[]::new));
    }

    private List<Event> events() {
        try (EventLog log = Lab.openExisting(data)) {
            return log.readAll(ID);
        }
    }

    @Test
    void run_ofACampaignAskingForSignatures_createsItStartsNothing_andSaysHowToSign() {
        CliTest.Result run = CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");

        assertThat(run.code()).as(run.err()).isEqualTo(8);
        assertThat(run.out())
                .contains(
                        "Campaign " + ID + " waits for approval: its file asks for 2 signatures before it runs, and"
                                + " it has none. Nothing was started.",
                        "sign " + ID + " --data " + data,
                        "resume " + ID + " --data " + data);
        assertThat(events()).extracting(e -> e.body().typeName()).containsExactly("CampaignCreated");
        assertThat(CliTest.labloop("status", "--data", data.toString()).out())
                .contains(ID, "unsigned", "- (not started)")
                .doesNotContain("0.0 min");
        assertThat(CliTest.labloop("status", ID, "--data", data.toString()).out())
                .contains("approval      0 of 2 signatures; WAITS FOR 2 MORE before it runs");
    }

    @Test
    void twoPeopleSign_thenResume_runsToTheEnd_andEachSignatureNamesSignerRoleMeaningAndTheDefinition()
            throws Exception {
        Path alice = token("alice", "operator");
        Path bob = token("bob", "admin");
        assertThat(CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress")
                        .code())
                .isEqualTo(8);

        CliTest.Result first = sign(alice);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out())
                .contains("signed by alice (operator)", "\"approved to run\"", "Signatures: 1 of 2 (alice); 1 more");
        CliTest.Result stillWaits = CliTest.labloop("resume", ID, "--data", data.toString(), "--no-progress");
        assertThat(stillWaits.code()).isEqualTo(8);
        assertThat(stillWaits.out()).contains("it has 1 (alice)");

        CliTest.Result second = sign(bob, "--meaning", "reviewed as QA");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("Signatures: 2 of 2 (alice, bob). It may run now:");

        // The same files run again resume the signed campaign rather than starting an unsigned one.
        CliTest.Result run = CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("Resuming unfinished campaign " + ID);

        List<Event> events = events();
        assertThat(events)
                .extracting(e -> e.body().typeName())
                .startsWith("CampaignCreated", "CampaignSigned", "CampaignSigned", "CampaignStarted");
        EventBody.CampaignSigned a = (EventBody.CampaignSigned) events.get(1).body();
        EventBody.CampaignSigned b = (EventBody.CampaignSigned) events.get(2).body();
        assertThat(List.of(a.signer(), a.role(), a.meaning())).containsExactly("alice", "operator", "approved to run");
        assertThat(List.of(b.signer(), b.role(), b.meaning())).containsExactly("bob", "admin", "reviewed as QA");
        assertThat(events.get(1).actor()).isEqualTo("user:alice");
        assertThat(a.definition()).isEqualTo(events.get(0).hash()).isEqualTo(b.definition());
        assertThat(Instant.parse(a.signedAt()))
                .isBefore(Instant.parse(b.signedAt()).plusMillis(1));
        try (EventLog log = Lab.openExisting(data)) {
            CampaignState state = Lab.load(log, ID);
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.signatures())
                    .extracting(CampaignState.Signature::signer)
                    .containsExactly("alice", "bob");
        }
        assertThat(CliTest.labloop("verify", ID, "--data", data.toString()).code())
                .isZero();
        CliTest.Result export = CliTest.labloop("export", ID, "--format", "json", "--data", data.toString());
        com.fasterxml.jackson.databind.JsonNode approval = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(export.out())
                .get("approval");
        assertThat(approval.get("signatures_needed").asInt()).isEqualTo(2);
        assertThat(approval.get("signatures").get(1).get("signer").asText()).isEqualTo("bob");
        assertThat(approval.get("signatures").get(1).get("seq").asLong()).isEqualTo(3);
        assertThat(CliTest.labloop("status", ID, "--data", data.toString()).out())
                .contains("approval      2 of 2 signatures", "signed by bob (admin) at ", "\"reviewed as QA\"");
    }

    @Test
    void sign_refusesAViewer_aSecondSignatureOfOnePerson_anUnknownToken_aBlankMeaning_andAStartedCampaign()
            throws Exception {
        Path alice = token("alice", "operator");
        Path victor = token("victor", "viewer");
        Path bob = token("bob", "operator");
        CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");
        assertThat(sign(alice).code()).isZero();
        int before = events().size();

        CliTest.Result viewer = sign(victor);
        assertThat(viewer.code()).isEqualTo(2);
        assertThat(viewer.err()).contains("'victor' has role viewer, which may only read");

        CliTest.Result twice = sign(alice);
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("'alice' has already signed campaign " + ID);

        CliTest.Result unknown = sign(Files.writeString(tmp.resolve("bogus.token"), "llt_not-a-token\n"));
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err())
                .contains(": not a valid token of this store (unknown or revoked)")
                .contains("use the token printed for you by: labloop token create --name YOU --data ");

        CliTest.Result blank = sign(bob, "--meaning", "  ");
        assertThat(blank.code()).isEqualTo(2);
        assertThat(blank.err()).contains("the meaning of a signature is one line of 1 to 200 characters");

        CliTest.Result missingFile = sign(tmp.resolve("nowhere.token"));
        assertThat(missingFile.code()).isEqualTo(2);
        assertThat(missingFile.err()).contains("does not exist or is not a file");
        assertThat(events()).as("a refused signature writes nothing").hasSize(before);

        CliTest.Result refusals = CliTest.labloop("token", "refusals", "--data", data.toString());
        assertThat(refusals.code()).as(refusals.err()).isZero();
        assertThat(refusals.out().lines().filter(l -> l.contains("signature_refused")))
                .as("the viewer, the second signature, the unknown token and the blank meaning")
                .hasSize(4)
                .anyMatch(l -> l.contains("victor") && l.contains("which may only read"))
                .anyMatch(l -> l.contains(" ? ") && l.contains("not a valid token of this store"))
                .allMatch(l -> l.contains(ID) && l.contains("cli "));
        assertThat(refusals.out()).doesNotContain("llt_");

        assertThat(sign(bob).code()).isZero();
        assertThat(CliTest.labloop("resume", ID, "--data", data.toString(), "--no-progress")
                        .code())
                .isZero();
        Path carol = token("carol", "operator");
        CliTest.Result late = sign(carol);
        assertThat(late.code()).isEqualTo(2);
        assertThat(late.err()).contains("is already completed; a signature approves a campaign before it runs");
    }

    @Test
    void abort_ofACampaignWaitingForSignatures_endsItWithoutSigning_andStatusShowsAborted() throws Exception {
        CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");

        CliTest.Result abort = CliTest.labloop("abort", ID, "--reason", "wrong reagent lot", "--data", data.toString());

        assertThat(abort.code()).as(abort.err()).isZero();
        assertThat(abort.out()).contains("aborted before it started: wrong reagent lot");
        assertThat(events()).extracting(e -> e.body().typeName()).containsExactly("CampaignCreated", "CampaignAborted");
        assertThat(CliTest.labloop("status", "--data", data.toString()).out())
                .contains("aborted")
                .doesNotContain("unsigned");
    }

    @Test
    void sign_namesDifferingOnlyInCase_areOnePerson_andNoSignatureIsTakenBeyondWhatTheFileAsks() throws Exception {
        Path alice = token("alice", "operator");
        Path alsoAlice = token("Alice", "admin");
        Path bob = token("bob", "operator");
        Path carol = token("carol", "operator");
        CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");
        assertThat(sign(alice).code()).isZero();

        CliTest.Result again = sign(alsoAlice);
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("'Alice' has already signed");

        assertThat(sign(bob).code()).isZero();
        CliTest.Result third = sign(carol);
        assertThat(third.code()).isEqualTo(2);
        assertThat(third.err()).contains("has all 2 signatures its file asks for; start it");
        assertThat(events()).hasSize(3);
    }

    @Test
    void chaos_refusesACampaignThatAsksForApproval_beforeRunningAnything() {
        CliTest.Result chaos = CliTest.labloop(
                "chaos",
                "--campaign",
                campaign.toString(),
                "--kills",
                "1",
                "--work",
                tmp.resolve("w").toString());

        assertThat(chaos.code()).isEqualTo(2);
        assertThat(chaos.err()).contains("asks for approval", "without 'approval'");
        assertThat(tmp.resolve("w")).doesNotExist();
    }

    @Test
    void filesRunTogether_waitForEverySignature_andSaySo() throws Exception {
        Path other = ExampleCopies.snar(tmp.resolve("other"), 6);
        Files.writeString(other, Files.readString(other).replace("campaign: snar-demo", "campaign: snar-other"));

        CliTest.Result run = CliTest.labloop(
                "run", campaign.toString(), other.toString(), "--data", data.toString(), "--no-progress");

        assertThat(run.code()).as(run.err()).isEqualTo(8);
        assertThat(run.out())
                .contains("Campaign " + ID + " waits for approval")
                .doesNotContain("snar-other-1 waits")
                .contains("none starts until every one is signed; then run the same files together again")
                .doesNotContain("Then start it");
        try (EventLog log = Lab.openExisting(data)) {
            assertThat(log.readAll("snar-other-1")).hasSize(1);
        }
    }
}
