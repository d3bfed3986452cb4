package org.labloop.store;

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
import org.labloop.event.EventLogException;

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

    private SqliteEventLog(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens (creating if needed) the store in {@code dataDir}. */
    public static SqliteEventLog open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        String url = "jdbc:sqlite:" + file;
        migrate(url, file);
        try {
            Connection db = DriverManager.getConnection(url);
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA foreign_keys=ON");
                st.execute("PRAGMA busy_timeout=10000");
            }
            db.setAutoCommit(true);
            return new SqliteEventLog(file, db);
        } catch (SQLException e) {
            throw new StoreException("cannot open store " + file + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(String url, Path file) {
        try {
            Flyway.configure()
                    .dataSource(url, null, null)
                    .locations("classpath:db/migration/sqlite")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StoreException(
                    "cannot open store " + file + " (is it a LabLoop data file?): " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized String newCampaignId(String name) {
        String slug = slug(name);
        try {
            db.setAutoCommit(false);
            try {
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
                try (PreparedStatement ps =
                        db.prepareStatement("INSERT INTO campaigns (id, name, created) VALUES (?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, name);
                    ps.setLong(3, created);
                    ps.executeUpdate();
                }
                db.commit();
                return id;
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot create campaign '" + name + "' in " + file + ": " + e.getMessage(), e);
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
        Head head = heads.computeIfAbsent(campaignId, this::loadHead);
        List<Event> events = new ArrayList<>(bodies.size());
        long seq = head.seq;
        String prev = head.hash;
        for (EventBody body : bodies) {
            Event e = EventCodec.seal(campaignId, ++seq, at, actor, body, prev);
            events.add(e);
            prev = e.hash();
        }
        try {
            db.setAutoCommit(false);
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO events"
                    + " (campaign_id, seq, at, actor, type, body, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)")) {
                for (Event e : events) {
                    ps.setString(1, campaignId);
                    ps.setLong(2, e.seq());
                    ps.setString(3, e.at().toString());
                    ps.setString(4, actor);
                    ps.setString(5, e.body().typeName());
                    ps.setString(6, EventCodec.toJson(e.body()));
                    ps.setString(7, e.prevHash());
                    ps.setString(8, e.hash());
                    ps.addBatch();
                }
                ps.executeBatch();
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            heads.remove(campaignId);
            throw new StoreException(
                    "cannot append " + bodies.get(0).typeName() + " to campaign " + campaignId + " in " + file + ": "
                            + e.getMessage() + " (another process may be running this campaign)",
                    e);
        }
        heads.put(campaignId, new Head(seq, prev));
        return events;
    }

    private Head loadHead(String campaignId) {
        try (PreparedStatement ps =
                db.prepareStatement("SELECT seq, hash FROM events WHERE campaign_id = ? ORDER BY seq DESC LIMIT 1")) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : new Head(0, EventCodec.GENESIS);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read campaign " + campaignId + " from " + file + ": " + e.getMessage(), e);
        }
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
                    long seq = rs.getLong(1);
                    EventBody body;
                    try {
                        body = EventCodec.fromJson(rs.getString(4));
                    } catch (EventLogException e) {
                        throw new StoreException(
                                "event " + seq + " of campaign " + campaignId + " in " + file + " is unreadable: "
                                        + e.getMessage(),
                                e);
                    }
                    out.add(new Event(
                            campaignId,
                            seq,
                            Instant.parse(rs.getString(2)),
                            rs.getString(3),
                            body,
                            rs.getString(5),
                            rs.getString(6)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read campaign " + campaignId + " from " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public synchronized List<String> campaignIds() {
        List<String> ids = new ArrayList<>();
        try (Statement st = db.createStatement();
                // A campaign whose first event never committed (a crash in between) does not exist.
                ResultSet rs = st.executeQuery("SELECT id FROM campaigns c WHERE EXISTS"
                        + " (SELECT 1 FROM events e WHERE e.campaign_id = c.id) ORDER BY created")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot list campaigns in " + file + ": " + e.getMessage(), e);
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
        try (PreparedStatement ps =
                db.prepareStatement("INSERT INTO snapshots (campaign_id, seq, state) VALUES (?, ?, ?) "
                        + "ON CONFLICT (campaign_id) DO UPDATE SET seq = excluded.seq, state = excluded.state")) {
            ps.setString(1, campaignId);
            ps.setLong(2, seq);
            ps.setString(3, json);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot save snapshot of " + campaignId + " in " + file + ": " + e.getMessage(), e);
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
            throw new StoreException(
                    "cannot read snapshot of " + campaignId + " in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void dropSnapshots() {
        try (Statement st = db.createStatement()) {
            st.executeUpdate("DELETE FROM snapshots");
        } catch (SQLException e) {
            throw new StoreException("cannot drop snapshots in " + file + ": " + e.getMessage(), e);
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
            throw new StoreException("cannot close store " + file + ": " + e.getMessage(), e);
        }
    }

    private record Head(long seq, String hash) {}
}
