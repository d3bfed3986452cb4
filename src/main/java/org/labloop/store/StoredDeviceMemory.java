package org.labloop.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.labloop.device.DeviceMemory;
import org.labloop.event.EventCodec;

/**
 * Simulated devices' own memory, kept apart from LabLoop's log the way each real instrument keeps its own run list: in
 * the embedded store a SQLite file of its own ({@code sim-devices.db}) beside the log, in a PostgreSQL store a table of
 * the store's schema.
 */
public final class StoredDeviceMemory implements DeviceMemory, AutoCloseable {
    public static final String FILE_NAME = "sim-devices.db";
    private static final TypeReference<Map<String, Double>> OUTPUTS = new TypeReference<>() {};

    private final String file;
    private final StoreConnection db;

    private StoredDeviceMemory(String file, StoreConnection db) {
        this.file = file;
        this.db = db;
    }

    /** The memory of the store at {@code location}; a PostgreSQL store's tables must exist (made by its log). */
    public static StoredDeviceMemory open(StoreLocation location) {
        return switch (location) {
            case StoreLocation.Directory d -> open(d.path());
            // A run waits for a server that went away as long as its event log does.
            case StoreLocation.Postgres pg ->
                new StoredDeviceMemory(pg.describe(), StoreConnection.server(pg, PostgresEventLog.PATIENCE));
        };
    }

    public static StoredDeviceMemory open(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA busy_timeout=10000");
                st.execute("CREATE TABLE IF NOT EXISTS device_steps (device TEXT NOT NULL, step_key TEXT NOT NULL,"
                        + " started_at TEXT NOT NULL, due TEXT NOT NULL, state TEXT NOT NULL, outputs TEXT NOT NULL,"
                        + " failure TEXT, PRIMARY KEY (device, step_key))");
            }
            return new StoredDeviceMemory(file.toString(), StoreConnection.file(db));
        } catch (SQLException e) {
            throw new StoreException("cannot open simulated device memory " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<Entry> get(String device, String key) {
        try {
            Optional<String[]> row = db.again(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT started_at, due, state, outputs, failure"
                        + " FROM device_steps WHERE device = ? AND step_key = ?")) {
                    ps.setString(1, device);
                    ps.setString(2, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next()
                                ? Optional.of(new String[] {
                                    rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)
                                })
                                : Optional.<String[]>empty();
                    }
                }
            });
            if (row.isEmpty()) {
                return Optional.empty();
            }
            String[] r = row.get();
            return Optional.of(new Entry(
                    Instant.parse(r[0]),
                    Instant.parse(r[1]),
                    r[2],
                    EventCodec.mapper().readValue(r[3], OUTPUTS),
                    r[4]));
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("cannot read device " + device + " memory in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void put(String device, String key, Entry entry) {
        try {
            // An upsert: written twice, it leaves the same row.
            String outputs = EventCodec.mapper().writeValueAsString(entry.outputs());
            db.again(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_steps"
                        + " (device, step_key, started_at, due, state, outputs, failure) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (device, step_key) DO UPDATE SET started_at = excluded.started_at,"
                        + " due = excluded.due, state = excluded.state, outputs = excluded.outputs,"
                        + " failure = excluded.failure")) {
                    ps.setString(1, device);
                    ps.setString(2, key);
                    ps.setString(3, entry.startedAt().toString());
                    ps.setString(4, entry.due().toString());
                    ps.setString(5, entry.state());
                    ps.setString(6, outputs);
                    ps.setString(7, entry.failure());
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("cannot write device " + device + " memory in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}
