package org.labloop.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;

/** The server store against the PostgreSQL on this machine: the same log as the embedded store, shared safely. */
class PostgresEventLogTest {
    @TempDir
    Path dir;

    private static final Clock WALL = Clock.fixed(Instant.parse("2026-11-29T10:00:00Z"), ZoneOffset.UTC);

    private static EventBody proposed(String id) {
        return new EventBody.ExperimentProposed(
                id, 1, Map.of("T", 30.0, "solvent", "EtOH"), "random", "1", "random", Map.of());
    }

    /** Creates a campaign and appends three events, one of them in a batch of two. */
    private static List<Event> write(EventLog log) {
        Event first = log.create(
                "SnAr demo",
                Instant.EPOCH,
                "user:test",
                new EventBody.CampaignCreated("SnAr demo", 7, "dev", List.of()));
        String id = first.campaignId();
        log.append(id, Instant.EPOCH.plusSeconds(60), "planner:random", proposed("E0001"));
        log.appendAll(
                id,
                Instant.EPOCH.plusSeconds(120),
                "planner:random",
                List.of(proposed("E0002"), proposed("E0003 \"quoted\" \u00e9")));
        return log.readAll(id);
    }

    @Test
    void events_areStoredAndReadBack_byteForByteAsTheEmbeddedStoreWritesThem() throws Exception {
        List<Event> embedded;
        try (SqliteEventLog log = SqliteEventLog.open(dir, WALL)) {
            embedded = write(log);
        }
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location(), WALL)) {
            List<Event> server = write(log);

            assertThat(server).isEqualTo(embedded);
            assertThat(ChainCheck.of(server).intact()).isTrue();
            assertThat(log.campaignIds()).containsExactly("snar-demo-1");
            assertThat(log.last("snar-demo-1")).contains(server.get(3));
            assertThat(log.recordedAt("snar-demo-1")).containsEntry(4L, WALL.instant());
        }
    }

    @Test
    void reopenedStore_continuesTheChain_andSnapshotsAreReplacedAndDropped() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            try (PostgresEventLog log = PostgresEventLog.open(pg.location())) {
                write(log);
                log.saveSnapshot("snar-demo-1", 2, "{\"a\":1}");
                log.saveSnapshot("snar-demo-1", 4, "{\"a\":2}");
            }
            try (PostgresEventLog log = PostgresEventLog.open(pg.location())) {
                log.append("snar-demo-1", Instant.EPOCH.plusSeconds(180), "planner:random", proposed("E0004"));
                List<Event> events = log.readAll("snar-demo-1");
                assertThat(events).extracting(Event::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
                assertThat(ChainCheck.of(events).intact()).isTrue();
                assertThat(log.snapshot("snar-demo-1")).contains(new EventLog.Snapshot(4, "{\"a\":2}"));
                log.dropSnapshots();
                assertThat(log.snapshot("snar-demo-1")).isEmpty();
            }
        }
    }

    @Test
    void committedEvents_cannotBeUpdatedDeletedOrTruncated_evenWithSql() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            try (PostgresEventLog log = PostgresEventLog.open(pg.location())) {
                write(log);
            }
            try (Connection db = pg.connect();
                    Statement st = db.createStatement()) {
                for (String sql : List.of(
                        "UPDATE events SET body = '{}' WHERE seq = 2",
                        "DELETE FROM events WHERE seq = 4",
                        "TRUNCATE events CASCADE")) {
                    assertThatThrownBy(() -> st.execute(sql)).as(sql).hasMessageContaining("append-only");
                }
            }
            try (PostgresEventLog log = PostgresEventLog.openReadOnly(pg.location())) {
                assertThat(log.readAll("snar-demo-1")).hasSize(4);
            }
        }
    }

    @Test
    void campaignsCreatedAtOnce_byTwoWriters_getDistinctIds() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog a = PostgresEventLog.open(pg.location());
                PostgresEventLog b = PostgresEventLog.open(pg.location())) {
            ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (PostgresEventLog log : List.of(a, b)) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < 10; i++) {
                        ids.add(log.create(
                                        "screen",
                                        Instant.EPOCH,
                                        "user:test",
                                        new EventBody.CampaignCreated("screen", 1, "dev", List.of()))
                                .campaignId());
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(ids).hasSize(20).doesNotHaveDuplicates();
            assertThat(a.campaignIds()).hasSize(20).containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void anAppendRacingAnotherWriter_isRefused_andLeavesTheLogIntact() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog a = PostgresEventLog.open(pg.location());
                PostgresEventLog b = PostgresEventLog.open(pg.location())) {
            write(a);
            b.append("snar-demo-1", Instant.EPOCH.plusSeconds(200), "user:b", proposed("B"));
            // a still believes event 4 is the last: its append must not fork the chain.
            assertThatThrownBy(() -> a.append("snar-demo-1", Instant.EPOCH.plusSeconds(200), "user:a", proposed("A")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("another process may be running this campaign");
            a.reread("snar-demo-1");
            a.append("snar-demo-1", Instant.EPOCH.plusSeconds(210), "user:a", proposed("A"));
            List<Event> events = b.readAll("snar-demo-1");
            assertThat(events).extracting(Event::actor).endsWith("user:b", "user:a");
            assertThat(ChainCheck.of(events).intact()).isTrue();
        }
    }

    @Test
    void readOnlyStore_refusesWrites_andASchemaWithoutAStore_isNamed() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            assertThatThrownBy(() -> PostgresEventLog.openReadOnly(pg.location()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("no LabLoop store at " + pg.url());
            assertThat(PostgresEventLog.exists(pg.location())).isFalse();
            try (PostgresEventLog log = PostgresEventLog.open(pg.location())) {
                write(log);
            }
            try (PostgresEventLog log = PostgresEventLog.openReadOnly(pg.location())) {
                assertThatThrownBy(() -> log.append("snar-demo-1", Instant.EPOCH, "user:x", proposed("X")))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("read-only");
                assertThat(log.readAll("snar-demo-1")).hasSize(4);
            }
        }
    }

    @Test
    void aSchemaHoldingAnotherApplicationsTables_isRefused_andLeftAlone() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            try (Connection db = pg.connect();
                    Statement st = db.createStatement()) {
                st.execute("CREATE SCHEMA " + pg.location().schema());
                st.execute("CREATE TABLE " + pg.location().schema() + ".orders (id INT)");
            }
            assertThatThrownBy(() -> PostgresEventLog.open(pg.location()))
                    .isInstanceOf(org.labloop.core.InvalidInputException.class)
                    .hasMessageContaining("already holds tables that are not a LabLoop store's")
                    .hasMessageContaining("?schema=NAME");
            try (Connection db = pg.connect();
                    Statement st = db.createStatement();
                    var rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                            + pg.location().schema() + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("tables in the schema").isEqualTo(1);
            }
        }
    }

    @Test
    void aHostWhoseNameDoesNotResolve_isNamedAsSuch_notAsAServerDown() {
        StoreLocation.Postgres nowhere = (StoreLocation.Postgres)
                StoreLocation.parse("postgresql://postgres@nohost.invalid:5432/test?schema=ll_nowhere", Map.of());

        assertThatThrownBy(() -> PostgresEventLog.open(nowhere))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("host 'nohost.invalid' is not known here (its name does not resolve)")
                .hasMessageNotContaining("check that PostgreSQL runs");
    }

    @Test
    void aCampaignLock_heldByOneSession_refusesAnother_untilThatSessionEnds() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            PostgresLocks first = PostgresLocks.probe(pg.location());
            try (PostgresLocks second = PostgresLocks.probe(pg.location())) {
                assertThat(first.tryLock("c-1")).isTrue();
                assertThat(second.tryLock("c-1")).isFalse();
                assertThat(second.heldElsewhere("c-1")).isTrue();
                assertThat(second.heldElsewhere("c-2")).isFalse();
                assertThat(second.tryLock("c-2")).as("another campaign").isTrue();

                first.close(); // the session ends, as when its process dies
                // The server lets go of a session's locks a moment after the connection closes.
                assertThat(eventually(() -> !second.heldElsewhere("c-1"))).isTrue();
                assertThat(second.tryLock("c-1")).isTrue();
            } finally {
                first.close();
            }
        }
    }

    private static final Instant LATER = Instant.EPOCH.plusSeconds(180);

    /** Ends the server session that holds campaign {@code id}'s lock, as a server restart or an administrator would. */
    private static void endSessionHolding(TestPostgres pg, String id) throws SQLException {
        long key = PostgresLocks.key(pg.location().schema(), id);
        try (Connection admin = pg.connect();
                Statement st = admin.createStatement();
                var rs = st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype ="
                        + " 'advisory' AND granted AND classid = " + (key >>> 32) + " AND objid = "
                        + (key & 0xffffffffL))) {
            assertThat(rs.next()).as("a session holds the lock of " + id).isTrue();
        }
    }

    /** Takes campaign snar-demo-1's lock on {@code log}'s session, then has the server end that session. */
    private static PostgresLocks lockThenCutOff(TestPostgres pg, PostgresEventLog log) throws SQLException {
        PostgresLocks engine = PostgresLocks.on(log);
        assertThat(engine.tryLock("snar-demo-1")).isTrue();
        endSessionHolding(pg, "snar-demo-1");
        return engine;
    }

    @Test
    void anAppend_afterTheServerEndedItsSession_connectsAgain_takesBackTheLock_andWritesOnce() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresLocks other = PostgresLocks.probe(pg.location())) {
            List<Event> before = write(log);
            PostgresLocks engine = lockThenCutOff(pg, log);
            Event e = log.append("snar-demo-1", LATER, "engine", proposed("E0009"));

            assertThat(e.seq()).isEqualTo(before.size() + 1L);
            assertThat(log.read("snar-demo-1", 0))
                    .hasSize(before.size() + 1)
                    .last()
                    .isEqualTo(e);
            assertThat(ChainCheck.of(log.read("snar-demo-1", 0)).intact()).isTrue();
            assertThat(other.tryLock("snar-demo-1"))
                    .as("the lock is the engine's again")
                    .isFalse();
            engine.unlock("snar-demo-1");
            assertThat(eventually(() -> other.tryLock("snar-demo-1"))).isTrue();
        }
    }

    @Test
    void anAppend_whoseCampaignAnotherProcessTookWhileItsSessionWasDown_stopsAndWritesNothing() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresLocks other = PostgresLocks.probe(pg.location())) {
            List<Event> before = write(log);
            PostgresLocks engine = lockThenCutOff(pg, log);
            assertThat(eventually(() -> other.tryLock("snar-demo-1")))
                    .as("taken over")
                    .isTrue();

            assertThatThrownBy(() -> log.append("snar-demo-1", LATER, "engine", proposed("E0009")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("campaign snar-demo-1")
                    .hasMessageContaining("driven by another process")
                    .hasMessageContaining("intact");
            assertThat(log.read("snar-demo-1", 0)).as("reads go on").isEqualTo(before);
            assertThatThrownBy(() -> log.append("snar-demo-1", LATER, "engine", proposed("E0009")))
                    .as("still not this log's to write, on its new session too")
                    .hasMessageContaining("driven by another process");
            assertThatThrownBy(() -> log.saveSnapshot("snar-demo-1", 4, "{}"))
                    .hasMessageContaining("driven by another process");
            other.unlock("snar-demo-1");
            assertThatThrownBy(() -> log.append("snar-demo-1", LATER, "engine", proposed("E0009")))
                    .as("let go by the other, but not taken again by this process")
                    .hasMessageContaining("driven by another process");
            assertThat(log.read("snar-demo-1", 0)).isEqualTo(before);

            assertThat(eventually(() -> engine.tryLock("snar-demo-1"))).isTrue();
            log.reread("snar-demo-1");
            assertThat(log.append("snar-demo-1", LATER, "engine", proposed("E0009"))
                            .seq())
                    .as("its own again once it holds the lock")
                    .isEqualTo(before.size() + 1L);
            engine.unlock("snar-demo-1");
        }
    }

    @Test
    void aCampaignTakenOverWhileTheSessionWasDown_doesNotStopAnotherCampaignOfTheSameLog() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresLocks other = PostgresLocks.probe(pg.location())) {
            write(log);
            String second = log.create(
                            "second",
                            Instant.EPOCH,
                            "user:test",
                            new EventBody.CampaignCreated("second", 1, "dev", List.of()))
                    .campaignId();
            PostgresLocks engine = PostgresLocks.on(log);
            assertThat(engine.tryLock(second)).isTrue();
            lockThenCutOff(pg, log);
            assertThat(eventually(() -> other.tryLock("snar-demo-1"))).isTrue();

            assertThat(log.append(second, LATER, "engine", proposed("E0001")).seq())
                    .as("the campaign still held goes on")
                    .isEqualTo(2);
            assertThatThrownBy(() -> log.append("snar-demo-1", LATER, "engine", proposed("E0009")))
                    .hasMessageContaining("campaign snar-demo-1")
                    .hasMessageContaining("driven by another process");
        }
    }

    @Test
    void aSessionLostBetweenTakingTheLockAndTheFirstAppend_whileAnotherProcessWrote_stopsTheAppend() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresEventLog elsewhere = PostgresEventLog.open(pg.location())) {
            write(log);
            PostgresLocks.on(log).tryLock("snar-demo-1");
            log.reread("snar-demo-1"); // as LabStore.lock does: this process's state is from here
            endSessionHolding(pg, "snar-demo-1");
            PostgresLocks theirs = PostgresLocks.on(elsewhere);
            assertThat(eventually(() -> theirs.tryLock("snar-demo-1"))).isTrue();
            elsewhere.append("snar-demo-1", LATER, "user:other", proposed("E0042"));
            theirs.unlock("snar-demo-1");
            List<Event> stored = elsewhere.read("snar-demo-1", 0);

            assertThatThrownBy(() -> log.append("snar-demo-1", LATER, "engine", proposed("E0009")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("written to by another process");
            assertThat(elsewhere.read("snar-demo-1", 0)).isEqualTo(stored);
        }
    }

    @Test
    void lettingGoOfALock_whoseSessionTheServerEnded_isNoError() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresLocks other = PostgresLocks.probe(pg.location())) {
            write(log);
            PostgresLocks engine =
                    lockThenCutOff(pg, log); // as at the very end of a run: the campaign is done, its lock goes

            engine.unlock("snar-demo-1");

            assertThat(eventually(() -> other.tryLock("snar-demo-1"))).isTrue();
        }
    }

    @Test
    void aClosedLog_doesNotOpenItselfAgain_andHoldsNoLock() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresLocks other = PostgresLocks.probe(pg.location())) {
            PostgresEventLog log = PostgresEventLog.open(pg.location());
            write(log);
            PostgresLocks.on(log).tryLock("snar-demo-1");
            log.close();

            assertThatThrownBy(() -> log.read("snar-demo-1", 0)).isInstanceOf(StoreException.class);
            assertThat(eventually(() -> other.tryLock("snar-demo-1")))
                    .as("nothing took the lock back")
                    .isTrue();
        }
    }

    @Test
    void anAppend_whoseAnswerNeverComes_endsItsOwnLostSession_takesBackTheLock_andWritesOnce() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            // A statement that waits a second for its answer counts its connection as lost, as after a network cut
            // that leaves the server's side of the session alive, still holding the campaign's lock.
            StoreLocation.Postgres impatient =
                    (StoreLocation.Postgres) StoreLocation.parse(pg.url() + "&socketTimeout=1", System.getenv());
            try (PostgresEventLog log = PostgresEventLog.open(impatient);
                    Connection admin = pg.connect();
                    Statement st = admin.createStatement()) {
                log.patience = java.time.Duration.ofSeconds(3); // shorter than the table stays locked
                List<Event> before = write(log);
                assertThat(PostgresLocks.on(log).tryLock("snar-demo-1")).isTrue();
                int oldPid = log.db.unwrap(org.postgresql.PGConnection.class).getBackendPID();
                // The same lock key held in another database of the server is another lock, not a rival.
                Connection elsewhere = java.sql.DriverManager.getConnection(
                        "jdbc:postgresql://" + pg.location().host() + ":"
                                + pg.location().port() + "/postgres",
                        pg.location().properties());
                try (Statement other = elsewhere.createStatement()) {
                    other.execute("SELECT pg_advisory_lock("
                            + PostgresLocks.key(pg.location().schema(), "snar-demo-1") + ")");
                }
                admin.setAutoCommit(false);
                st.execute("LOCK TABLE " + pg.location().schema() + ".events IN EXCLUSIVE MODE"); // inserts wait
                Thread release = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(6000);
                        admin.commit();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });

                Event e = log.append("snar-demo-1", LATER, "engine", proposed("E0009"));
                release.join();
                elsewhere.close();

                assertThat(e.seq()).isEqualTo(before.size() + 1L);
                assertThat(log.read("snar-demo-1", 0))
                        .hasSize(before.size() + 1)
                        .last()
                        .isEqualTo(e);
                admin.setAutoCommit(true);
                try (var rs = st.executeQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + oldPid)) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the lost session was ended").isZero();
                }
            }
        }
    }

    @Test
    void anAppend_whoseEventsCommittedBeforeTheAnswerWasLost_isNotWrittenTwice() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresEventLog elsewhere = PostgresEventLog.open(pg.location())) {
            List<Event> before = write(log);
            lockThenCutOff(pg, log);
            // What the lost commit would have left: the very events the engine is about to write, already there.
            Event committed = elsewhere.append("snar-demo-1", LATER, "engine", proposed("E0009"));

            Event e = log.append("snar-demo-1", LATER, "engine", proposed("E0009"));

            assertThat(e).isEqualTo(committed);
            assertThat(log.read("snar-demo-1", 0)).hasSize(before.size() + 1);
            Event next = log.append("snar-demo-1", LATER, "engine", proposed("E0010"));
            assertThat(next.seq()).isEqualTo(before.size() + 2L);
            assertThat(ChainCheck.of(log.read("snar-demo-1", 0)).intact()).isTrue();
        }
    }

    @Test
    void anAppend_afterAnotherProcessWroteWhileItsSessionWasDown_stopsAndWritesNothing() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location());
                PostgresEventLog elsewhere = PostgresEventLog.open(pg.location())) {
            write(log);
            lockThenCutOff(pg, log);
            Event theirs = elsewhere.append("snar-demo-1", LATER, "user:other", proposed("E0042"));
            List<Event> stored = elsewhere.read("snar-demo-1", 0);

            assertThatThrownBy(() -> log.append("snar-demo-1", LATER, "engine", proposed("E0009")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("written to by another process")
                    .hasMessageContaining("event " + theirs.seq());
            assertThat(elsewhere.read("snar-demo-1", 0)).isEqualTo(stored);
        }
    }

    @Test
    void readsAndSnapshots_afterTheServerEndedTheSession_goOnOnANewOne() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh();
                PostgresEventLog log = PostgresEventLog.open(pg.location())) {
            List<Event> before = write(log);
            lockThenCutOff(pg, log);
            assertThat(log.read("snar-demo-1", 0)).isEqualTo(before);

            endSessionHolding(pg, "snar-demo-1");
            log.saveSnapshot("snar-demo-1", 2, "{\"seq\":2}");
            assertThat(log.snapshot("snar-demo-1")).hasValue(new EventLog.Snapshot(2, "{\"seq\":2}"));

            endSessionHolding(pg, "snar-demo-1");
            assertThat(log.campaignIds()).containsExactly("snar-demo-1");
        }
    }

    @Test
    void aStoreANewerVersionUpgraded_isRefusedForReading_sayingWhichVersionsAreKnown() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            PostgresEventLog.open(pg.location()).close();
            try (Connection db = pg.connect();
                    Statement st = db.createStatement()) {
                st.execute(SqliteEventLogTest.NEWER_VERSION);
            }
            assertThatThrownBy(() -> PostgresEventLog.openReadOnly(pg.location()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("upgraded by a newer version of LabLoop")
                    .hasMessageContaining(
                            "version 99; this one knows versions up to " + PostgresEventLog.SCHEMA_VERSION);
            assertThatThrownBy(() -> PostgresEventLog.open(pg.location()))
                    .as("for writing too: Flyway leaves a newer version's migrations be")
                    .hasMessageContaining("upgraded by a newer version of LabLoop");
        }
    }

    @Test
    void aStoreOpenedReadOnly_isRefusedWritesByTheServerItself() throws Exception {
        try (TestPostgres pg = TestPostgres.fresh()) {
            try (PostgresEventLog log = PostgresEventLog.open(pg.location())) {
                write(log);
            }
            try (PostgresEventLog log = PostgresEventLog.openReadOnly(pg.location());
                    Statement st = log.db.createStatement()) {
                assertThatThrownBy(() -> st.execute("INSERT INTO control_requests (campaign_id, action, actor,"
                                + " reason) VALUES ('snar-demo-1', 'abort', 'x', 'y')"))
                        .hasMessageContaining("read-only");
            }
        }
    }

    /** Whether {@code condition} holds within 10 s, polled. */
    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void locksOfOtherSchemas_areTheirOwn() {
        assertThat(PostgresLocks.key("a", "c-1")).isNotEqualTo(PostgresLocks.key("b", "c-1"));
        assertThat(PostgresLocks.key("a", "c-1")).isEqualTo(PostgresLocks.key("a", "c-1"));
    }
}
