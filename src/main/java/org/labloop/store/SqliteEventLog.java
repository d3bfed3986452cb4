package org.labloop.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;
import org.labloop.event.EventLog;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * The embedded event log: one SQLite file in WAL mode with {@code synchronous=FULL}, so an append that returned
 * survives a crash or power cut. Schema changes go through Flyway migrations.
 */
public final class SqliteEventLog implements EventLog {
    /** File name of the store inside a data directory. */
    public static final String FILE_NAME = "labloop.db";

    private final Path file;
    private final Connection db;
    private final Map<String, Head> heads = new HashMap<>();

    private final boolean readOnly;
    /** Stamps each row with when it was written (outside the hash chain); the store's own edge to real time. */
    private Clock wallClock = Clock.systemUTC();

    private SqliteEventLog(Path file, Connection db, boolean readOnly) {
        this.file = file;
        this.db = db;
        this.readOnly = readOnly;
    }

    /** As {@link #open(Path)}, stamping rows with {@code wallClock}'s time (for tests). */
    public static SqliteEventLog open(Path dataDir, Clock wallClock) {
        SqliteEventLog log = open(dataDir);
        log.wallClock = java.util.Objects.requireNonNull(wallClock, "wallClock");
        return log;
    }

    /**
     * Opens (creating if needed) the store in {@code dataDir} for reading and writing. An existing file is checked
     * first (SQLite header, write-ahead log, pages, schema) on a read-only connection, so a damaged file or another
     * program's database is refused before anything is written to it. A new store is built under a temporary name
     * and renamed into place, so a crash never leaves a half-made {@value #FILE_NAME} behind.
     */
    public static SqliteEventLog open(Path dataDir) {
        Path dir = dataDir.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StoreException("data directory " + dataDir + " is a file, not a directory; pass --data a"
                    + " directory (it is created when missing)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException(
                    "cannot create data directory " + dataDir + ": " + StoreFile.ioReason(e)
                            + "; check the path and that it is writable by this user",
                    e);
        }
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isWritable(dir)) {
            // Said here, before SQLite opens the file read-only without a word and a later write fails elsewhere.
            throw new StoreException("data directory " + dataDir + " is not writable (a read-only file system, or"
                    + " its permissions): running and controlling campaigns write to the store; status, verify and"
                    + " export only read it");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.exists(file)) {
            if (!Files.isRegularFile(file)) {
                throw new StoreException("store " + file + " is not a regular file; " + StoreFile.RESTORE);
            }
            checkBytesUnlessOpen(file);
            try (Connection ro = connectReadOnly(file)) {
                StoreFile.requireSound(ro, file);
                StoreFile.checkSchema(ro, file, true);
            } catch (SQLException e) {
                throw StoreFile.failure("cannot open store", file, e);
            }
        } else {
            create(dir, file);
        }
        migrate(file);
        try {
            Connection db = DriverManager.getConnection(url(file));
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA foreign_keys=ON");
                st.execute("PRAGMA busy_timeout=10000");
            } catch (SQLException e) {
                db.close();
                throw e;
            }
            db.setAutoCommit(true);
            return opened(new SqliteEventLog(file, db, false));
        } catch (SQLException e) {
            throw StoreFile.failure("cannot open store", file, e);
        }
    }

    /**
     * Opens the existing store in {@code dataDir} for reading only: no migration, no write, the file is left exactly
     * as it was. Refuses, with what is wrong and what to do, a missing, empty, truncated or damaged file, a write-ahead
     * log that is not one, and a database that is not a LabLoop store.
     */
    public static SqliteEventLog openReadOnly(Path dataDir) {
        return openReadOnly(dataDir, true);
    }

    /**
     * As {@link #openReadOnly(Path)}; with {@code checkPages} false SQLite's page check is left to the caller (see
     * {@link #damage()}), so that a tool can still read what is readable in a damaged file.
     */
    public static SqliteEventLog openReadOnly(Path dataDir, boolean checkPages) {
        Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new StoreException("no LabLoop store at " + file + " (the file is missing or not a regular file);"
                    + " pass --data the directory of a store");
        }
        checkBytesUnlessOpen(file);
        Connection db;
        try {
            db = connectReadOnly(file);
        } catch (SQLException e) {
            throw StoreFile.failure("cannot open store", file, e);
        }
        try {
            if (checkPages) {
                StoreFile.requireSound(db, file);
            }
            StoreFile.checkSchema(db, file, false);
        } catch (RuntimeException e) {
            closeQuietly(db);
            throw e;
        }
        return opened(new SqliteEventLog(file, db, true));
    }

    /** SQLite's page-level check of the whole file: empty when sound, else its first findings. */
    public synchronized List<String> damage() {
        return StoreFile.quickCheck(db, file);
    }

    /** The store's file. */
    public Path file() {
        return file;
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file;
    }

    private static Connection connectReadOnly(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10000);
        // A store on a read-only medium (an archived copy): SQLite cannot create the shared-memory file its log mode
        // needs, so the file is read as unchanging. Only when no write-ahead log lies beside it, whose events the
        // file would not show yet.
        Path dir = file.getParent();
        boolean archived = dir != null
                && !Files.isWritable(dir)
                && !Files.exists(StoreFile.sibling(file, "-wal"))
                && !Files.exists(StoreFile.sibling(file, "-shm"));
        String url = archived ? "jdbc:sqlite:file:" + file.toUri().getRawPath() + "?immutable=1" : url(file);
        Connection db = DriverManager.getConnection(url, config.toProperties());
        try (Statement st = db.createStatement()) {
            st.execute("PRAGMA query_only=1");
        } catch (SQLException e) {
            closeQuietly(db);
            throw e;
        }
        return db;
    }

    private static void closeQuietly(Connection db) {
        try {
            db.close();
        } catch (SQLException ignored) {
            // already failing with a better message
        }
    }

    /** Builds a new store under a temporary name, then renames it into place in one step. */
    private static void create(Path dir, Path file) {
        Path tmp =
                dir.resolve("." + FILE_NAME + ".new-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(StoreFile.sibling(tmp, "-journal"));
            migrate(tmp);
            if (!Files.exists(file)) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(dir);
            }
        } catch (IOException e) {
            throw new StoreException(
                    "cannot create store " + file + ": " + StoreFile.ioReason(e)
                            + "; check that the data directory is writable and the disk is not full",
                    e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can sync a directory; the rename is still atomic
        }
    }

    private static void migrate(Path file) {
        try {
            Flyway.configure()
                    .dataSource(url(file), null, null)
                    .locations("classpath:db/migration/sqlite")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            SQLException sql = sqlCause(e);
            throw new StoreException(
                    "cannot open store " + file + ": "
                            + (sql != null
                                    ? StoreFile.explain(sql)
                                    : "its schema does not fit this version of LabLoop (" + StoreFile.firstLine(e)
                                            + "); use the LabLoop version that wrote it, or " + StoreFile.RESTORE),
                    e);
        }
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private void requireWritable(String what) {
        if (readOnly) {
            throw new StoreException("cannot " + what + ": store " + file + " was opened read-only");
        }
    }

    @Override
    public synchronized String newCampaignId(String name) {
        requireWritable("create a campaign");
        try {
            db.setAutoCommit(false);
            try {
                String id = reserveId(name);
                db.commit();
                return id;
            } catch (SQLException e) {
                rollbackQuietly(e);
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw StoreFile.failure("cannot create campaign '" + name + "' in", file, e);
        }
    }

    /**
     * Reserves the campaign's id and writes its first event in one transaction, so that a process killed in between
     * leaves neither: the id is free again for the next campaign of that name.
     */
    @Override
    public synchronized Event create(String name, Instant at, String actor, EventBody.CampaignCreated body) {
        requireWritable("create a campaign");
        String json = EventCodec.toJson(body);
        try (Statement tx = db.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            try {
                String id = reserveId(name);
                Event e = new Event(
                        id,
                        1,
                        at,
                        actor,
                        body,
                        EventCodec.GENESIS,
                        EventCodec.hash(EventCodec.GENESIS, id, 1, at, actor, json));
                try (PreparedStatement ps = db.prepareStatement(INSERT_EVENT)) {
                    bind(ps, e, json, wallClock.instant().toString());
                    ps.executeUpdate();
                }
                tx.execute("COMMIT");
                heads.put(id, new Head(1, e.hash()));
                return e;
            } catch (SQLException e) {
                rollback(tx, e);
                throw e;
            }
        } catch (SQLException e) {
            throw StoreFile.failure("cannot create campaign '" + name + "' in", file, e);
        }
    }

    /** The next free id for a campaign of {@code name}, inserted into the campaigns table in the open transaction. */
    private String reserveId(String name) throws SQLException {
        String slug = slug(name);
        long created;
        int n;
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(created), 0) FROM campaigns")) {
            rs.next();
            created = rs.getLong(1) + 1;
        }
        try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM campaigns WHERE id LIKE ?")) {
            ps.setString(1, slug + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getInt(1) + 1;
            }
        }
        String id = slug + "-" + n;
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO campaigns (id, name, created) VALUES (?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setLong(3, created);
            ps.executeUpdate();
        }
        return id;
    }

    private static final String INSERT_EVENT = "INSERT INTO events"
            + " (campaign_id, seq, at, actor, type, body, prev_hash, hash, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)";

    private static void bind(PreparedStatement ps, Event e, String json, String recorded) throws SQLException {
        ps.setString(1, e.campaignId());
        ps.setLong(2, e.seq());
        ps.setString(3, e.at().toString());
        ps.setString(4, e.actor());
        ps.setString(5, e.body().typeName());
        ps.setString(6, json);
        ps.setString(7, e.prevHash());
        ps.setString(8, e.hash());
        ps.setString(9, recorded);
    }

    /** Ends a transaction begun in SQL; an error of the rollback (SQLite may have rolled back already) is kept with it. */
    private static void rollback(Statement tx, SQLException cause) {
        try {
            tx.execute("ROLLBACK");
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /** SQLite may already have rolled back (a full disk, an I/O error): keep the first error, not the rollback's. */
    private void rollbackQuietly(SQLException cause) {
        try {
            db.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        return s.isEmpty() ? "campaign" : s.length() > 40 ? s.substring(0, 40) : s;
    }

    @Override
    public Event append(String campaignId, Instant at, String actor, EventBody body) {
        return appendAll(campaignId, at, actor, List.of(body)).get(0);
    }

    @Override
    public synchronized List<Event> appendAll(String campaignId, Instant at, String actor, List<EventBody> bodies) {
        requireWritable("append to campaign " + campaignId);
        Head head = heads.computeIfAbsent(campaignId, this::loadHead);
        List<Event> events = new ArrayList<>(bodies.size());
        List<String> jsons = new ArrayList<>(bodies.size()); // encoded once, for the hash and for the row
        long seq = head.seq;
        String prev = head.hash;
        for (EventBody body : bodies) {
            String json = EventCodec.toJson(body);
            seq++;
            Event e = new Event(
                    campaignId, seq, at, actor, body, prev, EventCodec.hash(prev, campaignId, seq, at, actor, json));
            events.add(e);
            jsons.add(json);
            prev = e.hash();
        }
        // The transaction is spelled out in SQL so that an I/O error (a full disk) surfaces from the statement that
        // hit it, not as a later "no transaction is active".
        try (Statement tx = db.createStatement();
                PreparedStatement ps = db.prepareStatement(INSERT_EVENT)) {
            tx.execute("BEGIN IMMEDIATE");
            String recorded = wallClock.instant().toString();
            try {
                for (int i = 0; i < events.size(); i++) {
                    bind(ps, events.get(i), jsons.get(i), recorded);
                    ps.executeUpdate();
                }
                tx.execute("COMMIT");
            } catch (SQLException e) {
                rollback(tx, e);
                throw e;
            }
        } catch (SQLException e) {
            heads.remove(campaignId);
            throw new StoreException(
                    "cannot append " + bodies.get(0).typeName() + " to campaign " + campaignId + " in " + file + ": "
                            + (isConstraint(e)
                                    ? StoreFile.firstLine(e) + " (another process may be running this campaign)"
                                    : StoreFile.explain(e)),
                    e);
        }
        heads.put(campaignId, new Head(seq, prev));
        return events;
    }

    /**
     * Forgets what this process knew of the end of campaign {@code campaignId}'s log, so that its next append reads it
     * from the file: called when the process takes the campaign's lock, since another process may have appended while
     * it did not hold it (a signature, a pause recorded from a terminal).
     */
    public synchronized void reread(String campaignId) {
        heads.remove(campaignId);
    }

    private Head loadHead(String campaignId) {
        try (PreparedStatement ps =
                db.prepareStatement("SELECT seq, hash FROM events WHERE campaign_id = ? ORDER BY seq DESC LIMIT 1")) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : new Head(0, EventCodec.GENESIS);
            }
        } catch (SQLException e) {
            throw StoreFile.failure("cannot read campaign " + campaignId + " from", file, e);
        }
    }

    @Override
    public synchronized Map<Long, Instant> recordedAt(String campaignId) {
        Map<Long, Instant> out = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT seq, recorded_at FROM events WHERE campaign_id = ?"
                + " AND recorded_at IS NOT NULL ORDER BY seq")) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), Instant.parse(rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            // A store opened read-only before its upgrade has no such column: it keeps no such times.
            if (String.valueOf(e.getMessage()).contains("no such column")) {
                return Map.of();
            }
            throw StoreFile.failure("cannot read the wall-clock times of campaign " + campaignId + " in", file, e);
        }
        return out;
    }

    private static boolean isConstraint(SQLException e) {
        return e instanceof SQLiteException s && s.getResultCode().name().startsWith("SQLITE_CONSTRAINT");
    }

    @Override
    public synchronized List<Event> read(String campaignId, long afterSeq) {
        List<Event> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT seq, at, actor, body, prev_hash, hash FROM events WHERE campaign_id = ? AND seq > ? ORDER BY seq")) {
            ps.setString(1, campaignId);
            ps.setLong(2, afterSeq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(decode(campaignId, rs));
                }
            }
        } catch (SQLException e) {
            String after = out.isEmpty()
                    ? ""
                    : " after event " + out.get(out.size() - 1).seq();
            throw StoreFile.failure("cannot read campaign " + campaignId + after + " from", file, e);
        }
        return out;
    }

    /** One row as an event; a row that does not decode is reported with its seq, never passed on half-read. */
    private Event decode(String campaignId, ResultSet rs) throws SQLException {
        long seq = rs.getLong(1);
        String at = rs.getString(2);
        String actor = rs.getString(3);
        String body = rs.getString(4);
        String prevHash = rs.getString(5);
        String hash = rs.getString(6);
        try {
            if (at == null || actor == null || body == null || prevHash == null || hash == null) {
                throw new IllegalArgumentException("a column is empty (NULL)");
            }
            EventBody decoded = EventCodec.fromJson(body);
            if (decoded == null) {
                throw new IllegalArgumentException("its body is null");
            }
            return new Event(campaignId, seq, Instant.parse(at), actor, decoded, prevHash, hash);
        } catch (RuntimeException e) {
            throw new StoreException(
                    "event " + seq + " of campaign " + campaignId + " in " + file + " is unreadable: "
                            + StoreFile.firstLine(e) + "; " + StoreFile.RESTORE,
                    e);
        }
    }

    @Override
    public synchronized List<String> campaignIds() {
        List<String> ids = new ArrayList<>();
        try (Statement st = db.createStatement();
                // A campaign whose first event never committed (a crash in between) does not exist.
                ResultSet rs = st.executeQuery("SELECT id FROM campaigns c WHERE EXISTS"
                        + " (SELECT 1 FROM events e WHERE e.campaign_id = c.id) ORDER BY created")) {
            while (rs.next()) {
                String id = rs.getString(1);
                if (id == null) {
                    throw new StoreException(
                            "store " + file + " is damaged: a campaign has no id; " + StoreFile.RESTORE);
                }
                ids.add(id);
            }
        } catch (SQLException e) {
            throw StoreFile.failure("cannot list campaigns in", file, e);
        }
        return ids;
    }

    @Override
    public synchronized Optional<Event> last(String campaignId) {
        Head head = loadHead(campaignId);
        if (head.seq == 0) {
            return Optional.empty();
        }
        List<Event> tail = read(campaignId, head.seq - 1);
        return tail.isEmpty() ? Optional.empty() : Optional.of(tail.get(0));
    }

    @Override
    public synchronized void saveSnapshot(String campaignId, long seq, String json) {
        requireWritable("save a snapshot");
        try (PreparedStatement ps =
                db.prepareStatement("INSERT INTO snapshots (campaign_id, seq, state) VALUES (?, ?, ?) "
                        + "ON CONFLICT (campaign_id) DO UPDATE SET seq = excluded.seq, state = excluded.state")) {
            ps.setString(1, campaignId);
            ps.setLong(2, seq);
            ps.setString(3, json);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw StoreFile.failure("cannot save snapshot of " + campaignId + " in", file, e);
        }
    }

    @Override
    public synchronized Optional<Snapshot> snapshot(String campaignId) {
        try (PreparedStatement ps = db.prepareStatement("SELECT seq, state FROM snapshots WHERE campaign_id = ?")) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Snapshot(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw StoreFile.failure("cannot read snapshot of " + campaignId + " in", file, e);
        }
    }

    @Override
    public synchronized void dropSnapshots() {
        requireWritable("drop snapshots");
        try (Statement st = db.createStatement()) {
            st.executeUpdate("DELETE FROM snapshots");
        } catch (SQLException e) {
            throw StoreFile.failure("cannot drop snapshots in", file, e);
        }
    }

    @Override
    public String location() {
        return "sqlite:" + file;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw StoreFile.failure("cannot close store", file, e);
        } finally {
            if (registered) {
                registered = false;
                OPEN.computeIfPresent(key(file), (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    /**
     * Stores this process has open, by real path, with how many logs hold each. SQLite's locks are POSIX locks, which
     * the kernel drops for the whole process as soon as any descriptor of the file is closed: reading the store's
     * header with plain file I/O while one of its connections is open would let another process (a second labloop, a
     * sqlite3 shell) believe it is the last user, checkpoint and delete the write-ahead log still being written, and
     * so lose committed events. The header is therefore read only while this process has the file open nowhere.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Integer> OPEN =
            new java.util.concurrent.ConcurrentHashMap<>();

    private boolean registered;

    private static String key(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize().toString();
        }
    }

    private static SqliteEventLog opened(SqliteEventLog log) {
        OPEN.merge(key(log.file), 1, Integer::sum);
        log.registered = true;
        return log;
    }

    /**
     * Marks the store {@code file} as open in this process for a connection made outside this class (the token table,
     * the control inbox), until the returned hold is closed; see {@link #OPEN}.
     */
    public static Hold holdOpen(Path file) {
        String k = key(file);
        OPEN.merge(k, 1, Integer::sum);
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                OPEN.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    /** A mark that the store is open in this process; closing it releases the mark (once). */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private static void checkBytesUnlessOpen(Path file) {
        if (!OPEN.containsKey(key(file))) {
            StoreFile.checkBytes(file);
        }
    }

    private record Head(long seq, String hash) {}
}
