package org.labloop.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.labloop.device.DeviceMemory;
import org.labloop.event.EventLog;
import org.labloop.store.PostgresEventLog;
import org.labloop.store.PostgresLocks;
import org.labloop.store.SqliteEventLog;
import org.labloop.store.StoreException;
import org.labloop.store.StoreLocation;
import org.labloop.store.StoreUnavailableException;
import org.labloop.store.StoredDeviceMemory;

/**
 * A store opened for running campaigns: the event log, the simulated devices' memory, and engine locks. A data
 * directory (SQLite files, file locks) or a PostgreSQL schema (tables, advisory locks).
 */
public final class LabStore implements AutoCloseable {
    /** The folder of the data directory that holds one lock file per campaign. */
    private static final String LOCKS = "locks";

    private final StoreLocation location;
    private final SqliteEventLog sqlite;
    private final PostgresEventLog postgres;
    private final StoredDeviceMemory devices;
    private final PostgresLocks pgLocks;
    /** A PostgreSQL store's second session, for reads that must not wait behind an engine's writes; opened on demand. */
    private PostgresEventLog reader; // guarded by this

    private boolean closed; // guarded by this

    private LabStore(
            StoreLocation location,
            SqliteEventLog sqlite,
            PostgresEventLog postgres,
            StoredDeviceMemory devices,
            PostgresLocks pgLocks) {
        this.location = location;
        this.sqlite = sqlite;
        this.postgres = postgres;
        this.devices = devices;
        this.pgLocks = pgLocks;
    }

    public static LabStore open(Path dir) {
        return open(new StoreLocation.Directory(dir));
    }

    /** Opens (creating when missing) the store at {@code location}. */
    public static LabStore open(StoreLocation location) {
        return switch (location) {
            case StoreLocation.Directory d -> {
                SqliteEventLog log = SqliteEventLog.open(d.path());
                try {
                    yield new LabStore(location, log, null, StoredDeviceMemory.open(d.path()), null);
                } catch (RuntimeException e) {
                    log.close();
                    throw e;
                }
            }
            case StoreLocation.Postgres pg -> {
                PostgresEventLog log = PostgresEventLog.open(pg);
                try {
                    yield new LabStore(location, null, log, StoredDeviceMemory.open(pg), PostgresLocks.on(log));
                } catch (RuntimeException e) {
                    log.close();
                    throw e;
                }
            }
        };
    }

    public StoreLocation location() {
        return location;
    }

    /**
     * The log to read from where an answer must not wait: on a PostgreSQL store a session of its own, which neither
     * holds campaign locks nor waits for the server to come back (an engine writing through {@link #log} does, for
     * minutes, and holds that log meanwhile), so that a server's requests answer at once, with an error while the
     * database is away. On a data directory, the log itself.
     */
    public EventLog reader() {
        return postgres == null ? sqlite : pgReader();
    }

    private synchronized PostgresEventLog pgReader() {
        if (closed) {
            throw new StoreException("store " + location.describe() + " is closed");
        }
        if (reader == null) {
            reader = PostgresEventLog.openReadOnly((StoreLocation.Postgres) location.prompt());
        }
        return reader;
    }

    public EventLog log() {
        return sqlite != null ? sqlite : postgres;
    }

    /**
     * Refuses at once, with a {@link StoreUnavailableException}, while a write through {@link #log} waits for a
     * PostgreSQL server that went away (anything else written meanwhile would wait behind it, for minutes); for callers
     * such as a server that would rather answer now and be asked again. A write that begins just before the server
     * goes still waits, as every write does. {@code what}: what the caller was about to do, for the message.
     */
    public void requireReachable(String what) {
        if (postgres != null && postgres.waitingForServer()) {
            throw new StoreUnavailableException(
                    "cannot " + what + " now: store " + location.describe() + " lost its server and is waiting for it"
                            + " to come back; ask again once it is back",
                    null);
        }
    }

    public DeviceMemory devices() {
        return devices;
    }

    /**
     * Whether {@code file} is, or would become, part of the store in data directory {@code dir} (both real, absolute
     * paths): the folder itself, the event log or the simulated devices' memory with any journal SQLite keeps beside
     * them, or the folder of run locks. Other files in the directory are the user's.
     */
    public static boolean holds(Path dir, Path file) {
        if (!file.startsWith(dir)) {
            return false;
        }
        Path rel = dir.relativize(file);
        if (rel.toString().isEmpty() || rel.getName(0).toString().equals(LOCKS)) {
            return true;
        }
        String name = rel.toString();
        for (String db : new String[] {SqliteEventLog.FILE_NAME, StoredDeviceMemory.FILE_NAME}) {
            if (name.equals(db) || name.startsWith(db + "-")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes the exclusive right to drive {@code campaignId}. The operating system releases it when the process dies,
     * however it dies, so a killed run never leaves a stale lock.
     */
    public EngineLock lock(String campaignId) {
        if (location instanceof StoreLocation.Postgres pg) {
            String key = pgKey(pg, campaignId);
            synchronized (HELD) {
                if (!HELD.add(key)) {
                    throw runByAnother(campaignId);
                }
            }
            // Held as taken while the server is asked, outside HELD: asking may wait behind an engine's write, and
            // HELD must not (driven() reads it).
            boolean taken = false;
            try {
                takeServerLock(key, campaignId);
                try {
                    postgres.reread(campaignId);
                } catch (RuntimeException e) {
                    pgLocks.unlock(campaignId);
                    throw e;
                }
                taken = true;
                return new EngineLock(key, () -> pgLocks.unlock(campaignId));
            } finally {
                if (!taken) {
                    synchronized (HELD) {
                        HELD.remove(key);
                    }
                }
            }
        }
        Path dir = ((StoreLocation.Directory) location).path();
        String file = lockFile(dir, campaignId);
        synchronized (HELD) {
            if (HELD.contains(file)) {
                throw runByAnother(campaignId); // this process: opening the file again would cost it its locks
            }
            try {
                Files.createDirectories(Path.of(file).getParent());
                FileChannel channel =
                        FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    channel.close();
                    throw runByAnother(campaignId);
                }
                try {
                    sqlite.reread(campaignId);
                } catch (RuntimeException e) {
                    lock.release();
                    channel.close();
                    throw e;
                }
                HELD.add(file);
                FileLock held = lock;
                return new EngineLock(file, () -> {
                    held.release();
                    channel.close();
                });
            } catch (IOException e) {
                throw new CampaignLockedException(
                        "cannot lock campaign " + campaignId + " in " + dir + ": " + e.getMessage());
            }
        }
    }

    /**
     * Takes the campaign's lock on the server. A probe of this same process ({@link #driven}, on another session)
     * holds the lock shared for a moment, and a lock asked for meanwhile is refused: then it is asked again once the
     * probe is done, so that the process never takes its own look for another process's run.
     */
    private void takeServerLock(String key, String campaignId) {
        for (int attempt = 1; ; attempt++) {
            long seen = probesOf(key);
            if (pgLocks.tryLock(campaignId)) {
                return;
            }
            synchronized (PROBES) {
                if (attempt == 10 || (probesOf(key) == seen && !PROBING.containsKey(key))) {
                    throw runByAnother(campaignId);
                }
                long deadline = System.nanoTime() + 1_000_000_000L;
                try {
                    while (PROBING.containsKey(key) && System.nanoTime() < deadline) {
                        PROBES.wait(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CampaignLockedException(
                            "interrupted while taking the lock of campaign " + campaignId + "; run it again");
                }
            }
        }
    }

    /** How many probes of {@code key} this process has begun and ended (a change: one overlapped). */
    private static long probesOf(String key) {
        synchronized (PROBES) {
            return PROBE_EVENTS.getOrDefault(key, 0L);
        }
    }

    /** Probes of campaign locks under way in this process, by key: how many. */
    private static final java.util.Map<String, Integer> PROBING = new java.util.HashMap<>();
    /** Probes begun plus probes ended, by key. */
    private static final java.util.Map<String, Long> PROBE_EVENTS = new java.util.HashMap<>();

    private static final Object PROBES = new Object();

    private static String pgKey(StoreLocation.Postgres pg, String campaignId) {
        return "postgresql:" + pg.describe() + "#" + campaignId;
    }

    /**
     * The lock files this process holds. POSIX locks belong to the process, and closing any descriptor of a file drops
     * every lock the process has on it: a file held here is therefore never opened again by this process (to probe or
     * to lock it) until it is let go.
     */
    private static final java.util.Set<String> HELD = new java.util.HashSet<>();

    private static String lockFile(Path dir, String campaignId) {
        return dir.resolve(LOCKS)
                .resolve(campaignId + ".lock")
                .toAbsolutePath()
                .normalize()
                .toString();
    }

    private static CampaignLockedException runByAnother(String campaignId) {
        return new CampaignLockedException("campaign " + campaignId + " is being run by another process; wait"
                + " for it to finish, or pause or abort it (labloop pause/abort " + campaignId
                + ", or the server's pause and abort, which hand the request to that process)");
    }

    /**
     * Refuses, before anything is said or done about it, a campaign another process drives right now (the lock taken
     * to run it refuses it too; this says so first).
     */
    public void requireNotDriven(String campaignId) {
        if (driven(campaignId)) {
            throw runByAnother(campaignId);
        }
    }

    /**
     * Whether some process (this one included) drives campaign {@code campaignId} of this store right now. On a
     * PostgreSQL store asked through {@link #reader}, so it does not wait while an engine waits for the server.
     */
    public boolean driven(String campaignId) {
        if (location instanceof StoreLocation.Postgres pg) {
            String key = pgKey(pg, campaignId);
            synchronized (HELD) {
                if (HELD.contains(key)) {
                    return true;
                }
            }
            synchronized (PROBES) {
                PROBING.merge(key, 1, Integer::sum);
                PROBE_EVENTS.merge(key, 1L, Long::sum);
            }
            try {
                return pgReader().lockHeldElsewhere(campaignId);
            } finally {
                synchronized (PROBES) {
                    PROBING.compute(key, (k, n) -> n == 1 ? null : n - 1);
                    PROBE_EVENTS.merge(key, 1L, Long::sum);
                    PROBES.notifyAll();
                }
            }
        }
        return driven(((StoreLocation.Directory) location).path(), campaignId);
    }

    /**
     * Whether some process drives campaign {@code campaignId} of the store at {@code location} right now, found
     * without writing anything, for commands that only read the store.
     */
    public static boolean driven(StoreLocation location, String campaignId) {
        return switch (location) {
            case StoreLocation.Directory d -> driven(d.path(), campaignId);
            case StoreLocation.Postgres pg -> {
                synchronized (HELD) {
                    if (HELD.contains(pgKey(pg, campaignId))) {
                        yield true;
                    }
                }
                try (PostgresLocks locks = PostgresLocks.probe(pg)) {
                    yield locks.heldElsewhere(campaignId);
                }
            }
        };
    }

    /**
     * Whether some process drives campaign {@code campaignId} of data directory {@code dir} right now, found without
     * writing anything: a shared lock on its lock file is refused while an engine holds the exclusive one.
     */
    private static boolean driven(Path dir, String campaignId) {
        String name = lockFile(dir, campaignId);
        Path file = Path.of(name);
        synchronized (HELD) {
            if (HELD.contains(name)) {
                return true; // this very process drives it
            }
            if (!Files.exists(file)) {
                return false;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
                if (lock == null) {
                    return true;
                }
                lock.release();
                return false;
            } catch (OverlappingFileLockException e) {
                return true;
            } catch (IOException e) {
                throw new CampaignLockedException(
                        "cannot read the lock of campaign " + campaignId + " in " + dir + ": " + e.getMessage());
            }
        }
    }

    /** True when some process holds the campaign's lock right now. */
    public boolean running(String campaignId) {
        try {
            lock(campaignId).close();
            return false;
        } catch (CampaignLockedException e) {
            return true;
        }
    }

    @Override
    public void close() {
        PostgresEventLog second;
        synchronized (this) {
            closed = true;
            second = reader;
            reader = null;
        }
        try {
            devices.close();
        } finally {
            try {
                if (second != null) {
                    second.close();
                }
            } finally {
                try {
                    if (pgLocks != null) {
                        pgLocks.close();
                    }
                } finally {
                    log().close();
                }
            }
        }
    }

    /** How a held lock is let go. */
    @FunctionalInterface
    interface Release {
        void release() throws IOException;
    }

    /** Held while an engine drives a campaign. */
    public static final class EngineLock implements AutoCloseable {
        private final String key;
        private final Release release;

        EngineLock(String key, Release release) {
            this.key = key;
            this.release = release;
        }

        private boolean released; // guarded by HELD

        @Override
        public void close() {
            synchronized (HELD) {
                if (released) {
                    return; // let go already: the key may be another lock's by now
                }
                released = true;
            }
            // Let go outside HELD (a server's lock is let go through the log, which an engine may hold while it waits
            // for the server); the key stays held until then.
            try {
                release.release();
            } catch (IOException e) {
                throw new CampaignLockedException("cannot release campaign lock: " + e.getMessage());
            } finally {
                synchronized (HELD) {
                    HELD.remove(key);
                }
            }
        }
    }
}
