package org.labloop.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.labloop.event.EventCodec;

/**
 * Seeded damage to a copy of a real store: what a crash, a bad disk, a careless copy, another program or a person with
 * an SQL shell can do to a data directory. Byte-level operators work on the files; row-level operators edit the
 * database behind LabLoop's back; "reseal" operators edit events and recompute the hash chain, so the log looks
 * intact and the damage reaches the projection.
 */
final class StoreMutator {
    static final String DB = "labloop.db";

    /** Which baseline copy an operator starts from. */
    enum Baseline {
        /** The store after a short demo run, checkpointed: one file. */
        PLAIN,
        /** The same store with a second campaign still in the write-ahead log (labloop.db + labloop.db-wal). */
        WAL
    }

    /** What the operators may use: a foreign SQLite database, the demo campaign's id. */
    record Context(Path foreignDb, String campaignId) {}

    @FunctionalInterface
    interface Apply {
        /** Damages the store in {@code dir}; returns the path to pass as {@code --data}. */
        Path apply(Random r, Path dir, Context ctx) throws IOException, SQLException;
    }

    /**
     * One class of damage. {@code verifies} is true when the damaged log still proves intact: a forged hash chain, or
     * events cut off its end (a hash chain cannot tell a cut tail from a campaign that stopped there), so commands may
     * show data that differs from the original.
     */
    record Operator(String name, Baseline baseline, boolean verifies, Apply apply) {
        /**
         * Whether the whole-store commands (status, verify, export without an id) must show exactly what they show on
         * the baseline: not when the operator adds campaign rows (an empty campaign is a legitimate state), and not on
         * the WAL baseline (a damaged log loses the commits after its first bad frame, as after a crash).
         */
        boolean strictStore() {
            return baseline == Baseline.PLAIN && !name.equals("campaign-rows");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] EVENT_TYPES = {
        "CampaignCreated",
        "CampaignStarted",
        "ExperimentProposed",
        "StepStarted",
        "StepCompleted",
        "StepFailed",
        "MeasurementRecorded",
        "ExperimentCompleted",
        "ExperimentFailed",
        "CampaignCompleted",
        "CampaignPaused",
        "CampaignResumed",
        "CampaignAborted"
    };

    static final List<Operator> OPERATORS = List.of(
            new Operator("truncate", Baseline.PLAIN, false, StoreMutator::truncate),
            new Operator("truncate-page", Baseline.PLAIN, false, StoreMutator::truncatePage),
            new Operator("zero-length", Baseline.PLAIN, false, (r, d, c) -> {
                Files.write(d.resolve(DB), new byte[0]);
                return d;
            }),
            new Operator("flip-bytes", Baseline.PLAIN, false, StoreMutator::flipBytes),
            new Operator("flip-header", Baseline.PLAIN, false, StoreMutator::flipHeader),
            new Operator("page-garbage", Baseline.PLAIN, false, StoreMutator::pageGarbage),
            new Operator("page-zero", Baseline.PLAIN, false, StoreMutator::pageZero),
            new Operator("page-swap", Baseline.PLAIN, false, StoreMutator::pageSwap),
            new Operator("append-garbage", Baseline.PLAIN, false, StoreMutator::appendGarbage),
            new Operator("not-sqlite", Baseline.PLAIN, false, StoreMutator::notSqlite),
            new Operator("foreign-sqlite", Baseline.PLAIN, false, (r, d, c) -> {
                Files.copy(c.foreignDb(), d.resolve(DB), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return d;
            }),
            new Operator("wal-garbage", Baseline.PLAIN, false, StoreMutator::walGarbage),
            new Operator("wal-truncate", Baseline.WAL, false, StoreMutator::walTruncate),
            new Operator("wal-flip", Baseline.WAL, false, StoreMutator::walFlip),
            new Operator("wal-header", Baseline.WAL, false, StoreMutator::walHeader),
            new Operator("shm-garbage", Baseline.WAL, false, StoreMutator::shmGarbage),
            new Operator("layout", Baseline.PLAIN, false, StoreMutator::layout),
            new Operator("body-garbage", Baseline.PLAIN, false, StoreMutator::bodyGarbage),
            new Operator("column-garbage", Baseline.PLAIN, false, StoreMutator::columnGarbage),
            new Operator("row-delete-insert", Baseline.PLAIN, false, StoreMutator::rowDeleteInsert),
            new Operator("tail-cut", Baseline.PLAIN, true, StoreMutator::tailCut),
            new Operator("campaign-rows", Baseline.PLAIN, false, StoreMutator::campaignRows),
            new Operator("snapshot", Baseline.PLAIN, false, StoreMutator::snapshot),
            new Operator("schema", Baseline.PLAIN, false, StoreMutator::schema),
            new Operator("reseal-json", Baseline.PLAIN, true, (r, d, c) -> reseal(r, d, c, StoreMutator::jsonEdit)),
            new Operator("reseal-drop", Baseline.PLAIN, true, (r, d, c) -> reseal(r, d, c, StoreMutator::dropEvent)),
            new Operator(
                    "reseal-duplicate", Baseline.PLAIN, true, (r, d, c) -> reseal(r, d, c, StoreMutator::dupEvent)),
            new Operator("reseal-swap", Baseline.PLAIN, true, (r, d, c) -> reseal(r, d, c, StoreMutator::swapEvents)),
            new Operator("reseal-retype", Baseline.PLAIN, true, (r, d, c) -> reseal(r, d, c, StoreMutator::retype)),
            new Operator("reseal-sources", Baseline.PLAIN, true, (r, d, c) -> reseal(r, d, c, StoreMutator::sources)));

    private StoreMutator() {}

    // ---------------------------------------------------------------- bytes

    private static Path truncate(Random r, Path d, Context c) throws IOException {
        Path f = d.resolve(DB);
        resize(f, r.nextLong(Files.size(f)));
        return d;
    }

    private static Path truncatePage(Random r, Path d, Context c) throws IOException {
        Path f = d.resolve(DB);
        int page = pageSize(f);
        long pages = Files.size(f) / page;
        resize(f, page * (1 + r.nextLong(Math.max(1, pages - 1))));
        return d;
    }

    private static Path flipBytes(Random r, Path d, Context c) throws IOException {
        flip(r, d.resolve(DB), 100, 1 + r.nextInt(16));
        return d;
    }

    private static Path flipHeader(Random r, Path d, Context c) throws IOException {
        byte[] b = Files.readAllBytes(d.resolve(DB));
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            b[r.nextInt(100)] ^= (byte) (1 + r.nextInt(255));
        }
        Files.write(d.resolve(DB), b);
        return d;
    }

    private static Path pageGarbage(Random r, Path d, Context c) throws IOException {
        Path f = d.resolve(DB);
        int page = pageSize(f);
        long pages = Files.size(f) / page;
        byte[] junk = new byte[1 + r.nextInt(page)];
        r.nextBytes(junk);
        long at = page * r.nextLong(pages) + r.nextInt(page - junk.length + 1);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(at);
            raf.write(junk);
        }
        return d;
    }

    private static Path pageZero(Random r, Path d, Context c) throws IOException {
        Path f = d.resolve(DB);
        int page = pageSize(f);
        long pages = Files.size(f) / page;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(page * (1 + r.nextLong(Math.max(1, pages - 1))));
            raf.write(new byte[page]);
        }
        return d;
    }

    private static Path pageSwap(Random r, Path d, Context c) throws IOException {
        Path f = d.resolve(DB);
        int page = pageSize(f);
        byte[] b = Files.readAllBytes(f);
        int pages = b.length / page;
        int i = r.nextInt(pages);
        int j = r.nextInt(pages);
        byte[] t = Arrays.copyOfRange(b, i * page, (i + 1) * page);
        System.arraycopy(b, j * page, b, i * page, page);
        System.arraycopy(t, 0, b, j * page, page);
        Files.write(f, b);
        return d;
    }

    private static Path appendGarbage(Random r, Path d, Context c) throws IOException {
        byte[] junk = new byte[1 + r.nextInt(r.nextBoolean() ? 100 : 20_000)];
        r.nextBytes(junk);
        Files.write(d.resolve(DB), junk, java.nio.file.StandardOpenOption.APPEND);
        return d;
    }

    private static Path notSqlite(Random r, Path d, Context c) throws IOException {
        byte[] content = switch (r.nextInt(5)) {
            case 0 -> {
                byte[] junk = new byte[1 + r.nextInt(100_000)];
                r.nextBytes(junk);
                yield junk;
            }
            case 1 -> "campaign: not a database\n".getBytes(StandardCharsets.UTF_8);
            case 2 -> new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
            case 3 -> {
                // the right magic, then nothing sensible
                byte[] b = new byte[4096 * (1 + r.nextInt(4))];
                r.nextBytes(b);
                byte[] magic = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(magic, 0, b, 0, magic.length);
                yield b;
            }
            default -> "SQLite format 3".getBytes(StandardCharsets.US_ASCII);
        };
        Files.write(d.resolve(DB), content);
        return d;
    }

    private static Path walGarbage(Random r, Path d, Context c) throws IOException {
        byte[] junk = new byte[1 + r.nextInt(r.nextBoolean() ? 40 : 70_000)];
        r.nextBytes(junk);
        Files.write(d.resolve(DB + "-wal"), junk);
        return d;
    }

    private static Path walTruncate(Random r, Path d, Context c) throws IOException {
        Path wal = d.resolve(DB + "-wal");
        resize(wal, r.nextLong(Files.size(wal)));
        return d;
    }

    private static Path walFlip(Random r, Path d, Context c) throws IOException {
        flip(r, d.resolve(DB + "-wal"), 32, 1 + r.nextInt(8));
        return d;
    }

    private static Path walHeader(Random r, Path d, Context c) throws IOException {
        Path wal = d.resolve(DB + "-wal");
        byte[] b = Files.readAllBytes(wal);
        for (int n = 1 + r.nextInt(2); n > 0; n--) {
            b[r.nextInt(32)] ^= (byte) (1 + r.nextInt(255));
        }
        Files.write(wal, b);
        return d;
    }

    private static Path shmGarbage(Random r, Path d, Context c) throws IOException {
        byte[] junk = new byte[r.nextBoolean() ? 32768 : 1 + r.nextInt(40_000)];
        r.nextBytes(junk);
        Files.write(d.resolve(DB + "-shm"), junk);
        return d;
    }

    private static Path layout(Random r, Path d, Context c) throws IOException {
        Path f = d.resolve(DB);
        switch (r.nextInt(6)) {
            case 0 -> {
                // --data names a file
                return f;
            }
            case 1 -> {
                Files.delete(f);
                Files.createDirectory(f);
            }
            case 2 -> {
                Files.delete(f);
                Files.createSymbolicLink(f, d.resolve("nowhere.db"));
            }
            case 3 -> {
                Files.delete(f);
                Files.createSymbolicLink(f, Path.of("/dev/null"));
            }
            case 4 -> {
                // the store is gone but its write-ahead log is still there
                Files.move(f, d.resolve("elsewhere.db"));
                Files.write(d.resolve(DB + "-wal"), new byte[] {0x37, 0x7f, 0x06, (byte) 0x82});
            }
            default -> {
                return d.resolve("missing-subdir");
            }
        }
        return d;
    }

    // ---------------------------------------------------------------- rows

    private static Path bodyGarbage(Random r, Path d, Context c) throws SQLException {
        Object body = switch (r.nextInt(14)) {
            case 0 -> "not json";
            case 1 -> "";
            case 2 -> "null";
            case 3 -> "[]";
            case 4 -> "{}";
            case 5 -> "{\"type\":\"Bogus\"}";
            case 6 -> "[".repeat(2000 + r.nextInt(200_000));
            case 7 -> "{\"type\":\"CampaignCompleted\",\"reason\":" + "9".repeat(5000) + "}";
            case 8 -> new byte[] {(byte) 0xC0, (byte) 0xAF, (byte) 0xFF};
            case 9 -> "{\"type\":\"CampaignCompleted\",\"reason\":\"" + "x".repeat(3_000_000) + "\"}";
            case 10 -> "{\"type\":\"CampaignCompleted\",\"reason\":\"a\",\"reason\":\"b\"}";
            case 11 -> "{\"type\":\"CampaignCompleted\",\"reason\":\"a\",\"extra\":1}";
            case 12 -> 42L;
            default -> "{\"type\":\"CampaignResumed\"}";
        };
        try (Connection db = connect(d)) {
            long seq = randomSeq(r, db, c);
            try (PreparedStatement ps =
                    db.prepareStatement("UPDATE events SET body = ? WHERE seq = ? AND campaign_id = ?")) {
                ps.setObject(1, body);
                ps.setLong(2, seq);
                ps.setString(3, c.campaignId());
                ps.executeUpdate();
            }
        }
        return d;
    }

    private static Path columnGarbage(Random r, Path d, Context c) throws SQLException {
        String[] columns = {"at", "actor", "prev_hash", "hash", "seq", "type", "campaign_id"};
        Object[] values = {
            "garbage",
            "",
            12345L,
            1.5e300,
            "2024-13-45T99:99:99Z",
            "0".repeat(64),
            "\u0000",
            -1L,
            0L,
            Long.MAX_VALUE,
            new byte[] {1, 2, 3},
            "\uffff\ud800"
        };
        try (Connection db = connect(d)) {
            long seq = randomSeq(r, db, c);
            String column = columns[r.nextInt(columns.length)];
            try (PreparedStatement ps = db.prepareStatement(
                    "UPDATE OR IGNORE events SET " + column + " = ? WHERE seq = ? AND campaign_id = ?")) {
                ps.setObject(1, values[r.nextInt(values.length)]);
                ps.setLong(2, seq);
                ps.setString(3, c.campaignId());
                ps.executeUpdate();
            }
        }
        return d;
    }

    private static Path rowDeleteInsert(Random r, Path d, Context c) throws SQLException {
        try (Connection db = connect(d);
                Statement st = db.createStatement()) {
            long seq = randomSeq(r, db, c);
            String id = quote(c.campaignId());
            switch (r.nextInt(4)) {
                case 0 -> st.executeUpdate("DELETE FROM events WHERE campaign_id = " + id + " AND seq = " + seq);
                case 1 ->
                    st.executeUpdate("INSERT INTO events (campaign_id, seq, at, actor, type, body, prev_hash, hash)"
                            + " SELECT campaign_id, (SELECT MAX(seq) + 1 FROM events),"
                            + " at, actor, type, body, prev_hash, hash FROM events WHERE campaign_id = " + id
                            + " AND seq = "
                            + seq);
                case 3 ->
                    st.executeUpdate("INSERT INTO events (campaign_id, seq, at, actor, type, body, prev_hash, hash)"
                            + " SELECT campaign_id, " + (r.nextBoolean() ? 0 : -seq)
                            + ", at, actor, type, body, prev_hash, hash FROM events WHERE campaign_id = " + id
                            + " AND seq = " + seq);
                default ->
                    st.executeUpdate("UPDATE events SET body = (SELECT body FROM events WHERE campaign_id = "
                            + id + " AND seq = " + randomSeq(r, db, c) + ") WHERE campaign_id = " + id + " AND seq = "
                            + seq);
            }
        }
        return d;
    }

    private static Path tailCut(Random r, Path d, Context c) throws SQLException {
        try (Connection db = connect(d);
                PreparedStatement ps = db.prepareStatement("DELETE FROM events WHERE campaign_id = ? AND seq >= ?")) {
            ps.setString(1, c.campaignId());
            ps.setLong(2, randomSeq(r, db, c));
            ps.executeUpdate();
        }
        return d;
    }

    private static Path campaignRows(Random r, Path d, Context c) throws SQLException {
        try (Connection db = connect(d);
                Statement st = db.createStatement()) {
            st.execute("PRAGMA foreign_keys=OFF");
            String id = quote(c.campaignId());
            switch (r.nextInt(6)) {
                case 0 -> st.executeUpdate("DELETE FROM campaigns WHERE id = " + id);
                case 1 -> st.executeUpdate("UPDATE campaigns SET id = 'renamed' WHERE id = " + id);
                case 2 -> st.executeUpdate("INSERT INTO campaigns (id, name, created) VALUES ('empty-1', 'e', 99)");
                case 3 ->
                    st.executeUpdate("INSERT INTO campaigns (id, name, created) VALUES ('" + "x".repeat(5000)
                            + "', '\u202e', -1)");
                case 4 -> st.executeUpdate("UPDATE campaigns SET name = '', created = -7 WHERE id = " + id);
                default ->
                    st.executeUpdate("UPDATE events SET campaign_id = 'orphan' WHERE campaign_id = " + id
                            + " AND seq > " + randomSeq(r, db, c));
            }
        }
        return d;
    }

    private static Path snapshot(Random r, Path d, Context c) throws SQLException {
        String state;
        long seq;
        try (Connection db = connect(d)) {
            long last = maxSeq(db, c);
            switch (r.nextInt(6)) {
                case 0 -> {
                    state = "not json";
                    seq = last;
                }
                case 1 -> {
                    state = "{\"id\":\"" + c.campaignId() + "\",\"lastSeq\":" + last + ",\"lastHash\":\""
                            + "0".repeat(64) + "\"}";
                    seq = last;
                }
                case 2 -> {
                    state = "{\"id\":\"" + c.campaignId() + "\",\"lastSeq\":" + (last + 1000) + "}";
                    seq = last + 1000;
                }
                case 3 -> {
                    state = "{\"lastSeq\":-5,\"experiments\":{\"E1\":{\"status\":\"BOGUS\"}}}";
                    seq = -5;
                }
                case 4 -> {
                    state = "[" + "[".repeat(100_000);
                    seq = 1;
                }
                default -> {
                    state = "{\"id\":\"" + c.campaignId() + "\",\"lastSeq\":1,\"lastHash\":" + quote(hashAt(db, c, 1))
                            + ",\"experiments\":{\"E9999\":{\"id\":\"E9999\",\"status\":\"RUNNING\"}}}";
                    seq = 1;
                }
            }
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO snapshots (campaign_id, seq, state)"
                    + " VALUES (?, ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET seq = excluded.seq,"
                    + " state = excluded.state")) {
                ps.setString(1, c.campaignId());
                ps.setLong(2, seq);
                ps.setString(3, state);
                ps.executeUpdate();
            }
        }
        return d;
    }

    private static Path schema(Random r, Path d, Context c) throws SQLException {
        try (Connection db = connect(d);
                Statement st = db.createStatement()) {
            st.execute("PRAGMA foreign_keys=OFF");
            switch (r.nextInt(8)) {
                case 0 -> st.execute("DROP TABLE events");
                case 1 -> st.execute("DROP TABLE flyway_schema_history");
                case 2 -> st.executeUpdate("UPDATE flyway_schema_history SET version = '99'");
                case 3 -> st.executeUpdate("UPDATE flyway_schema_history SET success = 0");
                case 4 -> st.execute("ALTER TABLE events DROP COLUMN actor");
                case 5 -> st.execute("ALTER TABLE events RENAME TO events_old");
                case 6 -> st.execute("CREATE TABLE intruder (x)");
                default -> st.execute("DROP TABLE snapshots");
            }
        }
        return d;
    }

    // ---------------------------------------------------------------- forged chains

    /** One stored event row, editable. */
    static final class Row {
        long seq;
        String at;
        String actor;
        String body;

        Row(long seq, String at, String actor, String body) {
            this.seq = seq;
            this.at = at;
            this.actor = actor;
            this.body = body;
        }

        Row copy() {
            return new Row(seq, at, actor, body);
        }
    }

    @FunctionalInterface
    interface RowsEdit {
        void apply(Random r, List<Row> rows) throws IOException;
    }

    /** Rewrites the campaign's events after {@code edit}, numbering them 1.. and re-computing every hash. */
    private static Path reseal(Random r, Path d, Context c, RowsEdit edit) throws SQLException, IOException {
        try (Connection db = connect(d)) {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps =
                    db.prepareStatement("SELECT seq, at, actor, body FROM events WHERE campaign_id = ? ORDER BY seq")) {
                ps.setString(1, c.campaignId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            edit.apply(r, rows);
            db.setAutoCommit(false);
            try (PreparedStatement del = db.prepareStatement("DELETE FROM events WHERE campaign_id = ?")) {
                del.setString(1, c.campaignId());
                del.executeUpdate();
            }
            try (Statement st = db.createStatement()) {
                st.executeUpdate("DELETE FROM snapshots");
            }
            String prev = EventCodec.GENESIS;
            long seq = 1;
            try (PreparedStatement ins = db.prepareStatement("INSERT INTO events (campaign_id, seq, at, actor, type,"
                    + " body, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)")) {
                for (Row row : rows) {
                    String body = canonical(row.body);
                    String hash = EventCodec.hash(prev, c.campaignId(), seq, instant(row.at), row.actor, body);
                    ins.setString(1, c.campaignId());
                    ins.setLong(2, seq);
                    ins.setString(3, row.at);
                    ins.setString(4, row.actor);
                    ins.setString(5, typeOf(body));
                    ins.setString(6, body);
                    ins.setString(7, prev);
                    ins.setString(8, hash);
                    ins.executeUpdate();
                    prev = hash;
                    seq++;
                }
            }
            db.commit();
        }
        return d;
    }

    private static void jsonEdit(Random r, List<Row> rows) throws IOException {
        Row row = rows.get(r.nextInt(rows.size()));
        JsonNode root = JSON.readTree(row.body);
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(r.nextInt(containers.size()));
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode replacement = switch (r.nextInt(14)) {
            case 0 -> f.textNode("text");
            case 1 -> f.numberNode(-1);
            case 2 -> f.numberNode(1e308);
            case 3 -> f.booleanNode(true);
            case 4 -> f.nullNode();
            case 5 -> f.arrayNode().add(1);
            case 6 -> f.objectNode().put("a", 1);
            case 7 -> f.textNode("");
            case 8 -> f.textNode("E9999");
            case 9 -> f.numberNode(Long.MAX_VALUE);
            case 10 -> f.textNode("NaN");
            case 11 -> f.textNode("\u202e\u0000\ud83e\uddea");
            case 12 -> f.numberNode(0);
            default -> null; // remove
        };
        if (target instanceof ObjectNode o && !o.isEmpty()) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = r.nextInt(8) == 0 ? "unknownField" : names.get(r.nextInt(names.size()));
            if (replacement == null) {
                o.remove(name);
            } else {
                o.set(name, replacement);
            }
        } else if (target instanceof ArrayNode a) {
            if (replacement == null && !a.isEmpty()) {
                a.remove(r.nextInt(a.size()));
            } else {
                a.add(replacement == null ? f.nullNode() : replacement);
            }
        }
        row.body = JSON.writeValueAsString(root);
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }
    }

    private static void dropEvent(Random r, List<Row> rows) {
        rows.remove(r.nextInt(rows.size()));
    }

    private static void dupEvent(Random r, List<Row> rows) {
        int i = r.nextInt(rows.size());
        rows.add(r.nextInt(rows.size() + 1), rows.get(i).copy());
    }

    private static void swapEvents(Random r, List<Row> rows) {
        int i = r.nextInt(rows.size());
        int j = r.nextInt(rows.size());
        Row t = rows.get(i);
        rows.set(i, rows.get(j));
        rows.set(j, t);
    }

    private static void retype(Random r, List<Row> rows) throws IOException {
        Row row = rows.get(r.nextInt(rows.size()));
        JsonNode root = JSON.readTree(row.body);
        if (root instanceof ObjectNode o) {
            o.put("type", EVENT_TYPES[r.nextInt(EVENT_TYPES.length)]);
        }
        row.body = JSON.writeValueAsString(root);
    }

    /** Damages the campaign, workcell or protocol file text stored in the first event. */
    private static void sources(Random r, List<Row> rows) throws IOException {
        Row row = rows.get(0);
        JsonNode root = JSON.readTree(row.body);
        JsonNode sources = root.path("sources");
        if (!(sources instanceof ArrayNode a) || a.isEmpty()) {
            return;
        }
        ObjectNode source = (ObjectNode) a.get(r.nextInt(a.size()));
        byte[] text = source.path("text").asText().getBytes(StandardCharsets.UTF_8);
        YamlMutator.Operator op = YamlMutator.OPERATORS.get(r.nextInt(YamlMutator.OPERATORS.size()));
        source.put("text", new String(op.apply().apply(r, text), StandardCharsets.UTF_8));
        row.body = JSON.writeValueAsString(root);
    }

    // ---------------------------------------------------------------- helpers

    private static String canonical(String body) {
        try {
            return EventCodec.toJson(EventCodec.fromJson(body));
        } catch (RuntimeException e) {
            return body;
        }
    }

    private static String typeOf(String body) {
        try {
            return JSON.readTree(body).path("type").asText("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static Instant instant(String at) {
        try {
            return Instant.parse(at);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static Connection connect(Path d) throws SQLException {
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + d.resolve(DB));
        try (Statement st = db.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            st.execute("DROP TRIGGER IF EXISTS events_no_delete");
        }
        return db;
    }

    private static long maxSeq(Connection db, Context c) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT MAX(seq) FROM events WHERE campaign_id = ?")) {
            ps.setString(1, c.campaignId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(1, rs.getLong(1)) : 1;
            }
        }
    }

    private static long randomSeq(Random r, Connection db, Context c) throws SQLException {
        return 1 + r.nextLong(maxSeq(db, c));
    }

    private static String hashAt(Connection db, Context c, long seq) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT hash FROM events WHERE campaign_id = ? AND seq = ?")) {
            ps.setString(1, c.campaignId());
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static int pageSize(Path f) throws IOException {
        byte[] head = new byte[18];
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            raf.readFully(head);
        }
        int p = ((head[16] & 0xff) << 8) | (head[17] & 0xff);
        return p == 1 ? 65536 : p;
    }

    private static void resize(Path f, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private static void flip(Random r, Path f, long from, int n) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long size = raf.length();
            for (int i = 0; i < n && size > from; i++) {
                long at = from + r.nextLong(size - from);
                raf.seek(at);
                int b = raf.read();
                raf.seek(at);
                raf.write(b ^ (1 + r.nextInt(255)));
            }
        }
    }
}
