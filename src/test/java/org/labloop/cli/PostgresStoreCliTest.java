package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignStatus;
import org.labloop.event.Event;
import org.labloop.event.EventLog;
import org.labloop.lab.ExampleCopies;
import org.labloop.lab.Lab;
import org.labloop.store.StoreLocation;
import org.labloop.store.TestPostgres;

/** The commands a user runs, against a PostgreSQL store named by {@code --data postgresql://...}. */
class PostgresStoreCliTest {
    @TempDir
    Path tmp;

    private static List<Event> events(StoreLocation where, String id) {
        try (EventLog log = Lab.openReadOnly(where, true)) {
            return log.readAll(id);
        }
    }

    @Test
    void aCampaignRunOnPostgres_recordsTheSameEventsAsTheEmbeddedStore_andStatusVerifyExportRead() throws Exception {
        Path campaign = ExampleCopies.snar(tmp.resolve("campaign"), 8);
        Path dir = tmp.resolve("data");
        try (TestPostgres pg = TestPostgres.fresh()) {
            CliTest.Result onServer =
                    CliTest.labloop("run", campaign.toString(), "--data", pg.url(), "--no-progress", "--seed", "5");
            assertThat(onServer.code()).as(onServer.err()).isZero();
            assertThat(onServer.out()).contains("Data: " + pg.url(), "--data '" + pg.url() + "'");
            CliTest.Result embedded = CliTest.labloop(
                    "run", campaign.toString(), "--data", dir.toString(), "--no-progress", "--seed", "5");
            assertThat(embedded.code()).as(embedded.err()).isZero();

            List<Event> server = events(pg.location(), "snar-demo-1");
            assertThat(server).hasSizeGreaterThan(50);
            assertThat(server).isEqualTo(events(new StoreLocation.Directory(dir), "snar-demo-1"));

            CliTest.Result status = CliTest.labloop("status", "--data", pg.url());
            assertThat(status.out()).contains("snar-demo-1", "completed");
            CliTest.Result verify = CliTest.labloop("verify", "--data", pg.url());
            assertThat(verify.code()).as(verify.err()).isZero();
            assertThat(verify.out()).contains("snar-demo-1: intact, " + server.size() + " events");
            CliTest.Result export = CliTest.labloop("export", "snar-demo-1", "--format", "csv", "--data", pg.url());
            assertThat(export.code()).as(export.err()).isZero();
            assertThat(export.out().lines().count()).isEqualTo(9); // header and 8 experiments

            CliTest.Result again =
                    CliTest.labloop("run", campaign.toString(), "--data", pg.url(), "--no-progress", "--seed", "5");
            assertThat(again.out()).contains("is already completed; this run starts snar-demo-2");
        }
    }

    @Test
    void pauseAndAbort_fromAnotherCommand_reachAnEngineRunningOnPostgres() throws Exception {
        Path campaign = ExampleCopies.snar(tmp.resolve("campaign"), 400);
        try (TestPostgres pg = TestPostgres.fresh()) {
            CompletableFuture<CliTest.Result> run = CompletableFuture.supplyAsync(
                    () -> CliTest.labloop("run", campaign.toString(), "--data", pg.url(), "--no-progress"));
            OperatorCommandsTest.awaitStatus(pg.location(), CampaignStatus.RUNNING);

            CliTest.Result second = CliTest.labloop("run", campaign.toString(), "--data", pg.url(), "--no-progress");
            assertThat(second.code()).as("the same file again, while it runs").isEqualTo(5);
            CliTest.Result pause = CliTest.labloop("pause", "snar-demo-1", "--reason", "refill", "--data", pg.url());
            assertThat(pause.code()).as(pause.err()).isZero();
            OperatorCommandsTest.awaitStatus(pg.location(), CampaignStatus.PAUSED);
            CliTest.Result abort = CliTest.labloop("abort", "snar-demo-1", "--reason", "leak", "--data", pg.url());
            assertThat(abort.code()).as(abort.err()).isZero();

            CliTest.Result ended = run.get(60, TimeUnit.SECONDS);
            assertThat(ended.code()).as(ended.err()).isEqualTo(6);
            assertThat(events(pg.location(), "snar-demo-1"))
                    .extracting(e -> e.body().typeName() + " " + e.actor())
                    .contains("CampaignPaused user:" + System.getProperty("user.name"))
                    .last()
                    .asString()
                    .startsWith("CampaignAborted");
        }
    }

    @Test
    void aRunWhoseServerSessionsEnd_connectsAgain_andRecordsWhatAnUninterruptedRunRecords() throws Exception {
        Path campaign = ExampleCopies.snar(tmp.resolve("campaign"), 16);
        Path dir = tmp.resolve("data");
        try (TestPostgres pg = TestPostgres.fresh();
                Connection admin = pg.connect()) {
            // Paced, so that it is still running when the server ends its sessions.
            CompletableFuture<CliTest.Result> run = CompletableFuture.supplyAsync(() -> CliTest.labloop(
                    "run", campaign.toString(), "--data", pg.url(), "--no-progress", "--seed", "5", "--pace", "2000"));
            for (int atEvents : new int[] {40, 120}) {
                awaitEvents(admin, pg, atEvents, run);
                // Every session of this process on the server but the test's own: the log's (with the campaign's
                // lock), the devices' memory and the control inbox, as a restart of the server would.
                try (Statement st = admin.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                + " WHERE application_name = '"
                                + StoreLocation.Postgres.applicationName(
                                        ProcessHandle.current().pid())
                                + "' AND datname = current_database()"
                                + " AND pid <> pg_backend_pid()")) {
                    int ended = 0;
                    while (rs.next()) {
                        ended++;
                    }
                    assertThat(ended)
                            .as("sessions ended at %d events", atEvents)
                            .isPositive();
                }
            }
            CliTest.Result done = run.get(120, TimeUnit.SECONDS);
            assertThat(done.code()).as(done.err()).isZero();

            CliTest.Result uninterrupted = CliTest.labloop(
                    "run", campaign.toString(), "--data", dir.toString(), "--no-progress", "--seed", "5");
            assertThat(uninterrupted.code()).as(uninterrupted.err()).isZero();
            List<Event> expected = events(new StoreLocation.Directory(dir), "snar-demo-1");
            assertThat(events(pg.location(), "snar-demo-1")).isEqualTo(expected);
            CliTest.Result verify = CliTest.labloop("verify", "--data", pg.url());
            assertThat(verify.out()).contains("snar-demo-1: intact, " + expected.size() + " events");
        }
    }

    /** Waits until campaign snar-demo-1 has at least {@code n} events in the schema, {@code run} still running. */
    private static void awaitEvents(Connection admin, TestPostgres pg, int n, CompletableFuture<CliTest.Result> run)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean reached = false;
            try (Statement st = admin.createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM "
                            + pg.location().schema() + ".events WHERE campaign_id = 'snar-demo-1'")) {
                reached = rs.next() && rs.getInt(1) >= n;
            } catch (java.sql.SQLException notYet) {
                // the run has not created the tables yet
            }
            if (run.isDone()) {
                CliTest.Result r = run.get();
                throw new AssertionError("the run ended (exit " + r.code() + ") before its sessions were ended at " + n
                        + " events: " + r.err());
            }
            if (reached) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the run did not reach " + n + " events within 60 s");
    }

    @Test
    void signaturesAndTokens_liveInThePostgresStore() throws Exception {
        Path campaign = ExampleCopies.snar(tmp.resolve("campaign"), 4);
        Files.writeString(campaign, Files.readString(campaign) + "approval: {signatures: 1}\n");
        try (TestPostgres pg = TestPostgres.fresh()) {
            CliTest.Result run = CliTest.labloop("run", campaign.toString(), "--data", pg.url(), "--no-progress");
            assertThat(run.code()).as(run.err()).isEqualTo(8);
            CliTest.Result token =
                    CliTest.labloop("token", "create", "--name", "alice", "--role", "operator", "--data", pg.url());
            assertThat(token.code()).as(token.err()).isZero();
            Path file =
                    Files.writeString(tmp.resolve("alice.token"), token.out().strip() + "\n");
            CliTest.Result sign = CliTest.labloop(
                    "sign",
                    "snar-demo-1",
                    "--data",
                    pg.url(),
                    "--token-file",
                    file.toString(),
                    "--meaning",
                    "approved");
            assertThat(sign.code()).as(sign.err()).isZero();
            CliTest.Result resume = CliTest.labloop("resume", "snar-demo-1", "--data", pg.url(), "--no-progress");
            assertThat(resume.code()).as(resume.err()).isZero();
            assertThat(events(pg.location(), "snar-demo-1"))
                    .extracting(e -> e.body().typeName())
                    .contains("CampaignSigned", "CampaignCompleted");
        }
    }

    @Test
    void anUnreachableServer_orADatabaseThatIsNotThere_isAStoreErrorThatSaysWhatToCheck() {
        CliTest.Result refused = CliTest.labloop("status", "--data", "postgresql://postgres@127.0.0.1:1/test");
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).contains("cannot be reached", "check that PostgreSQL runs at 127.0.0.1:1");
        assertThat(refused.err()).doesNotContain("Note: the password");
        CliTest.Result inline = CliTest.labloop("status", "--data", "postgresql://postgres:hunter2@127.0.0.1:1/test");
        assertThat(inline.code()).isEqualTo(3);
        assertThat(inline.err())
                .containsOnlyOnce("Note: the password in the PostgreSQL address shows")
                .contains("set PGPASSWORD instead")
                .doesNotContain("hunter2");
        CliTest.Result noStore =
                CliTest.labloop("status", "--data", "postgresql://postgres@127.0.0.1:5432/test?schema=no_store_here");
        assertThat(noStore.code()).isEqualTo(2);
        assertThat(noStore.err()).contains("no LabLoop store here", "?schema=NAME");
    }
}
