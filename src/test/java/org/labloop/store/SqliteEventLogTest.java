package org.labloop.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;

class SqliteEventLogTest {
    @TempDir
    Path dir;

    private static EventBody proposed(String id) {
        return new EventBody.ExperimentProposed(
                id, 1, Map.of("T", 30.0, "solvent", "EtOH"), "random", "1", "random", Map.of());
    }

    /** What a newer LabLoop's upgrade would leave in the schema history. */
    static final String NEWER_VERSION = "INSERT INTO flyway_schema_history (installed_rank, version, description,"
            + " type, script, checksum, installed_by, installed_on, execution_time, success) VALUES (100, '99',"
            + " 'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'labloop', CURRENT_TIMESTAMP, 1, true)";

    @Test
    void aStoreANewerVersionUpgraded_isRefusedForReadingAndWriting_sayingWhichVersionsAreKnown() throws Exception {
        SqliteEventLog.open(dir).close();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
                Statement st = db.createStatement()) {
            st.execute(NEWER_VERSION);
        }
        assertThatThrownBy(() -> SqliteEventLog.openReadOnly(dir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("upgraded by a newer version of LabLoop")
                .hasMessageContaining("version 99; this one knows versions up to " + SqliteEventLog.SCHEMA_VERSION);
        assertThatThrownBy(() -> SqliteEventLog.open(dir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("newer version of LabLoop");
    }

    @Test
    void theKnownSchemaVersions_areTheLastMigrationOfEachStore() throws Exception {
        assertThat(SqliteEventLog.SCHEMA_VERSION).isEqualTo(lastMigration("sqlite"));
        assertThat(PostgresEventLog.SCHEMA_VERSION).isEqualTo(lastMigration("postgresql"));
    }

    private static int lastMigration(String store) throws Exception {
        try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration", store))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
        }
    }

    @Test
    void appendedEvents_areReadBackInOrder_withAnUnbrokenHashChain() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = log.newCampaignId("SnAr demo");
            log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("SnAr demo", 7, "dev", List.of()));
            log.append(id, Instant.EPOCH.plusSeconds(60), "planner:random", proposed("E0001"));

            List<Event> events = log.readAll(id);
            assertThat(events).extracting(Event::seq).containsExactly(1L, 2L);
            assertThat(events.get(0).prevHash()).isEqualTo(EventCodec.GENESIS);
            assertThat(events.get(1).prevHash()).isEqualTo(events.get(0).hash());
            assertThat(events.get(1).body()).isEqualTo(proposed("E0001"));
            assertThat(ChainCheck.of(events).intact()).isTrue();
        }
    }

    @Test
    void create_thatFailsToWriteTheFirstEvent_reservesNoId_andTheNextCampaignOfTheNameTakesIt() throws Exception {
        EventBody.CampaignCreated created = new EventBody.CampaignCreated("SnAr demo", 7, "dev", List.of());
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            // As a process killed between the two writes would leave it: the first event refused.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
                    Statement st = c.createStatement()) {
                st.execute("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk gone'); END");
            }
            assertThatThrownBy(() -> log.create("SnAr demo", Instant.EPOCH, "user:test", created))
                    .hasMessageContaining("disk gone");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
                    Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER refuse");
                try (java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM campaigns")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("campaign rows").isZero();
                }
            }

            Event first = log.create("SnAr demo", Instant.EPOCH, "user:test", created);
            assertThat(first.campaignId()).isEqualTo("snar-demo-1");
            assertThat(first.seq()).isEqualTo(1);
            assertThat(log.readAll("snar-demo-1")).containsExactly(first);
            Event next = log.append("snar-demo-1", Instant.EPOCH, "planner:random", proposed("E0001"));
            assertThat(next.prevHash()).isEqualTo(first.hash());
            assertThat(ChainCheck.of(log.readAll("snar-demo-1")).intact()).isTrue();
        }
    }

    @Test
    void recordedAt_isTheWallClockOfEachAppend_andLeavesTheHashChainAsItWas() {
        Instant wall = Instant.parse("2026-11-29T08:00:00Z");
        java.util.List<List<Event>> runs = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            java.time.Clock clock = java.time.Clock.fixed(wall.plusSeconds(3600L * run), java.time.ZoneOffset.UTC);
            try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("run" + run), clock)) {
                String id = log.newCampaignId("c");
                log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
                log.appendAll(id, Instant.EPOCH.plusSeconds(60), "planner:random", List.of(proposed("E0001")));
                assertThat(log.recordedAt(id))
                        .containsExactly(
                                Map.entry(1L, wall.plusSeconds(3600L * run)),
                                Map.entry(2L, wall.plusSeconds(3600L * run)));
                runs.add(log.readAll(id));
            }
        }
        // Same events an hour apart on the wall clock: the same bytes and hashes.
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
    }

    @Test
    void openStore_keepsItsLocks_whenTheSameProcessOpensAndClosesItAgain() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isReadable(Path.of("/proc/locks")), "needs Linux's /proc/locks");
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = log.newCampaignId("c");
            log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
            Path file = dir.resolve(SqliteEventLog.FILE_NAME);
            assertThat(locksHeldOn(file)).as("locks while open").isPositive();

            // What a server does while it runs: another log and the token table opened and closed again.
            SqliteEventLog.openReadOnly(dir).close();
            SqliteEventLog.open(dir).close();

            // Without its locks another process (a sqlite3 shell) could take the store for unused and delete the
            // write-ahead log this connection still writes to.
            assertThat(locksHeldOn(file))
                    .as("locks after the other opens closed")
                    .isPositive();
        }
    }

    /** POSIX locks this process holds on {@code file}'s inode, from /proc/locks. */
    private static long locksHeldOn(Path file) throws java.io.IOException {
        long inode = (Long) java.nio.file.Files.getAttribute(file, "unix:ino");
        String pid = Long.toString(ProcessHandle.current().pid());
        return java.nio.file.Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length > 5 && f[1].equals("POSIX") && f[4].equals(pid))
                .filter(f -> f[5].endsWith(":" + inode))
                .count();
    }

    @Test
    void reopenedStore_continuesTheChain() {
        String id;
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            id = log.newCampaignId("c");
            log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
        }
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            log.append(id, Instant.EPOCH, "planner:random", proposed("E0001"));
            assertThat(ChainCheck.of(log.readAll(id)).intact()).isTrue();
            assertThat(log.campaignIds()).containsExactly(id);
        }
    }

    @Test
    void campaignIds_areDerivedFromNames_andUnique() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            assertThat(log.newCampaignId("SnAr demo!")).isEqualTo("snar-demo-1");
            assertThat(log.newCampaignId("SnAr demo!")).isEqualTo("snar-demo-2");
            assertThat(log.newCampaignId("???")).isEqualTo("campaign-1");
        }
    }

    @Test
    void committedEvents_cannotBeUpdatedOrDeleted_evenWithSql() throws Exception {
        String id;
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            id = log.newCampaignId("c");
            log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeUpdate("UPDATE events SET actor = 'mallory'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("DELETE FROM events")).hasMessageContaining("append-only");
        }
    }

    @Test
    void tamperedEvent_isDetectedByTheChainCheck() throws Exception {
        String id;
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            id = log.newCampaignId("c");
            log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
            log.append(id, Instant.EPOCH, "planner:random", proposed("E0001"));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
                Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER events_no_update");
            st.executeUpdate("UPDATE events SET body = replace(body, '30.0', '99.0') WHERE seq = 2");
        }
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            ChainCheck check = ChainCheck.of(log.readAll(id));
            assertThat(check.intact()).isFalse();
            assertThat(check.firstBadSeq()).isEqualTo(2);
        }
    }

    @Test
    void snapshots_areStoredReplacedAndDropped() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = log.newCampaignId("c");
            log.saveSnapshot(id, 3, "{\"a\":1}");
            log.saveSnapshot(id, 5, "{\"a\":2}");
            assertThat(log.snapshot(id)).hasValueSatisfying(s -> {
                assertThat(s.seq()).isEqualTo(5);
                assertThat(s.json()).isEqualTo("{\"a\":2}");
            });
            log.dropSnapshots();
            assertThat(log.snapshot(id)).isEmpty();
        }
    }

    @Test
    void openingAFileThatIsNotAStore_failsWithAClearMessage() throws Exception {
        java.nio.file.Files.writeString(dir.resolve(SqliteEventLog.FILE_NAME), "this is not a database");
        assertThatThrownBy(() -> SqliteEventLog.open(dir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(SqliteEventLog.FILE_NAME);
    }
}
