package org.labloop.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.EventBody;

/**
 * Regression tests for damaged and foreign data files: each is refused with what is wrong, which file and what to do,
 * and a read-only open never changes a byte. Cases found by {@code labloop fuzz} are marked.
 */
class DamagedStoreTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve(SqliteEventLog.FILE_NAME);
    }

    private String store(int events) {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = log.newCampaignId("c");
            log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignCreated("c", 1, "dev", List.of()));
            for (int i = 1; i < events; i++) {
                log.append(
                        id,
                        Instant.EPOCH,
                        "planner:random",
                        new EventBody.ExperimentProposed(
                                "E" + i, i, Map.of("T", 30.0 + i), "random", "1", "random", Map.of()));
            }
            return id;
        }
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
                Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            st.execute("DROP TRIGGER IF EXISTS events_no_delete");
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private void assertRefusedUnchanged(String... messageParts) throws Exception {
        byte[] before = Files.readAllBytes(db());
        assertThatThrownBy(() -> SqliteEventLog.openReadOnly(dir).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(SqliteEventLog.FILE_NAME)
                .hasMessageContainingAll(messageParts);
        assertThatThrownBy(() -> SqliteEventLog.open(dir).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(SqliteEventLog.FILE_NAME)
                .hasMessageContainingAll(messageParts);
        assertThat(Files.readAllBytes(db())).isEqualTo(before);
    }

    @Test
    void newStore_appearsWhole_withNoTemporaryFileLeft() throws Exception {
        store(2);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith("labloop.db"));
        }
    }

    @Test
    void readOnlyOpen_changesNoByte_andRefusesWrites() throws Exception {
        String id = store(5);
        byte[] before = Files.readAllBytes(db());
        try (SqliteEventLog log = SqliteEventLog.openReadOnly(dir)) {
            assertThat(log.readAll(id)).hasSize(5);
            assertThat(log.damage()).isEmpty();
            assertThatThrownBy(() -> log.append(id, Instant.EPOCH, "x", new EventBody.CampaignResumed("r")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("read-only");
        }
        assertThat(Files.readAllBytes(db())).isEqualTo(before);
    }

    @Test
    void zeroLengthFile_isRefused_andNotTurnedIntoAnEmptyStore() throws Exception {
        Files.write(db(), new byte[0]);
        assertRefusedUnchanged("empty (0 bytes)", "backup");
        assertThat(Files.size(db())).isZero();
    }

    @Test
    void truncatedFile_isRefused() throws Exception {
        store(40);
        long size = Files.size(db());
        try (RandomAccessFile f = new RandomAccessFile(db().toFile(), "rw")) {
            f.setLength(size - 4096);
        }
        assertRefusedUnchanged("truncated", "backup");
        try (RandomAccessFile f = new RandomAccessFile(db().toFile(), "rw")) {
            f.setLength(size / 3);
        }
        assertRefusedUnchanged("backup");
    }

    @Test
    void notAnSqliteFile_isRefused() throws Exception {
        Files.writeString(db(), "campaign: this is YAML, not a store\n");
        assertRefusedUnchanged("not an SQLite database");
    }

    @Test
    void anotherProgramsSqliteDatabase_isRefused_andNotMigrated() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (x)");
        }
        assertRefusedUnchanged("not a LabLoop store", "notes");
    }

    @Test
    void flippedPages_areRefusedAsDamaged() throws Exception {
        store(60);
        byte[] b = Files.readAllBytes(db());
        for (int i = 4096 * 2; i < 4096 * 2 + 200; i += 7) {
            b[i] ^= (byte) 0x5a;
        }
        Files.write(db(), b);
        assertRefusedUnchanged("damaged");
    }

    @Test
    void garbageWriteAheadLog_isRefused_notSilentlyIgnored() throws Exception {
        store(3);
        byte[] junk = new byte[5000];
        Arrays.fill(junk, (byte) 7);
        Path wal = dir.resolve("labloop.db-wal");
        Files.write(wal, junk);
        assertRefusedUnchanged("write-ahead log", "damaged", "move labloop.db-wal");
        assertThat(Files.readAllBytes(wal)).isEqualTo(junk);
    }

    @Test
    void walChecks_acceptARealLog_andItsTornTail_butNotADamagedMiddle() throws Exception {
        // found by the fuzzer: SQLite silently drops every commit after a damaged WAL frame
        store(2);
        byte[] wal;
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            String id = log.campaignIds().get(0);
            for (int i = 0; i < 4; i++) {
                log.append(id, Instant.EPOCH, "user:test", new EventBody.CampaignPaused("p" + i, false));
            }
            wal = Files.readAllBytes(dir.resolve("labloop.db-wal"));
        }
        assertThat(wal.length).isGreaterThan(4096 * 4);
        assertThat(StoreFile.walProblem(wal)).isNull();
        assertThat(StoreFile.walProblem(Arrays.copyOf(wal, wal.length - 100))).isNull();
        byte[] header = wal.clone();
        header[18] ^= 1;
        assertThat(StoreFile.walProblem(header)).contains("header checksum");
        byte[] middle = wal.clone();
        middle[32 + 24 + 100] ^= 1;
        assertThat(StoreFile.walProblem(middle)).contains("frame 1 is damaged");
    }

    @Test
    void eventBodyThatIsNotJson_namesTheEventAndTheFile() throws Exception {
        String id = store(3);
        sql("UPDATE events SET body = 'not json' WHERE seq = 2");
        try (SqliteEventLog log = SqliteEventLog.openReadOnly(dir)) {
            assertThatThrownBy(() -> log.readAll(id))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContainingAll("event 2", id, SqliteEventLog.FILE_NAME, "unreadable", "backup");
        }
    }

    @Test
    void unreadableRows_areReportedNotThrownAsBugs() throws Exception {
        // before: a body of JSON null, a bad timestamp and a text seq escaped as NullPointerException,
        // DateTimeParseException and IllegalArgumentException (exit 70, "internal error")
        String id = store(4);
        sql(
                "UPDATE events SET body = '{\"type\":\"Bogus\"}' WHERE seq = 2",
                "UPDATE events SET body = 'null' WHERE seq = 3",
                "UPDATE events SET at = 'yesterday' WHERE seq = 4");
        for (String edit : List.of("", "UPDATE events SET seq = 'x' WHERE seq = 1")) {
            if (!edit.isEmpty()) {
                sql(edit);
            }
            try (SqliteEventLog log = SqliteEventLog.openReadOnly(dir)) {
                assertThatThrownBy(() -> log.readAll(id))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("unreadable");
            }
        }
    }

    @Test
    void eventsOfAnUnlistedCampaign_areRefused() throws Exception {
        // found by the fuzzer: moving the tail of a log to another campaign id made the export silently shorter
        store(5);
        sql("UPDATE events SET campaign_id = 'elsewhere' WHERE seq > 3");
        assertRefusedUnchanged("does not list", "elsewhere");
    }

    @Test
    void schemaWithAFailedMigrationOrAMissingTable_isRefused() throws Exception {
        store(2);
        sql("UPDATE flyway_schema_history SET success = 0");
        assertRefusedUnchanged("failed half-way");
        sql("UPDATE flyway_schema_history SET success = 1", "DROP TABLE snapshots");
        assertThatThrownBy(() -> SqliteEventLog.openReadOnly(dir).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("snapshots");
    }

    @Test
    void dataDirectoryThatIsAFile_isRefusedClearly() throws Exception {
        Path file = dir.resolve("not-a-dir");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> SqliteEventLog.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContainingAll("not-a-dir", "is a file, not a directory");
        assertThat(Files.readString(file)).isEqualTo("x");
    }
}
