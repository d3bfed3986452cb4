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
import org.labloop.store.SqliteDeviceMemory;
import org.labloop.store.SqliteEventLog;

/** A data directory opened for running campaigns: the event log, the simulated devices' memory, and engine locks. */
public final class LabStore implements AutoCloseable {
    /** The folder of the data directory that holds one lock file per campaign. */
    private static final String LOCKS = "locks";

    private final Path dir;
    private final SqliteEventLog log;
    private final SqliteDeviceMemory devices;

    private LabStore(Path dir, SqliteEventLog log, SqliteDeviceMemory devices) {
        this.dir = dir;
        this.log = log;
        this.devices = devices;
    }

    public static LabStore open(Path dir) {
        SqliteEventLog log = SqliteEventLog.open(dir);
        try {
            return new LabStore(dir, log, SqliteDeviceMemory.open(dir));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public EventLog log() {
        return log;
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
        for (String db : new String[] {SqliteEventLog.FILE_NAME, SqliteDeviceMemory.FILE_NAME}) {
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
        Path file = lockFile(dir, campaignId);
        synchronized (HELD) {
            if (HELD.contains(file)) {
                throw runByAnother(campaignId); // this process: opening the file again would cost it its locks
            }
            try {
                Files.createDirectories(file.getParent());
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
                HELD.add(file);
                log.reread(campaignId);
                return new EngineLock(file, channel, lock);
            } catch (IOException e) {
                throw new CampaignLockedException(
                        "cannot lock campaign " + campaignId + " in " + dir + ": " + e.getMessage());
            }
        }
    }

    /**
     * The lock files this process holds. POSIX locks belong to the process, and closing any descriptor of a file drops
     * every lock the process has on it: a file held here is therefore never opened again by this process (to probe or
     * to lock it) until it is let go.
     */
    private static final java.util.Set<Path> HELD = new java.util.HashSet<>();

    private static Path lockFile(Path dir, String campaignId) {
        return dir.resolve(LOCKS).resolve(campaignId + ".lock").toAbsolutePath().normalize();
    }

    private static CampaignLockedException runByAnother(String campaignId) {
        return new CampaignLockedException("campaign " + campaignId + " is being run by another process; wait"
                + " for it to finish, or pause or abort it with labloop pause/abort " + campaignId);
    }

    /**
     * Refuses, before anything is said or done about it, a campaign another process drives right now (the lock taken
     * to run it refuses it too; this says so first).
     */
    public static void requireNotDriven(Path dir, String campaignId) {
        if (driven(dir, campaignId)) {
            throw runByAnother(campaignId);
        }
    }

    /**
     * Whether some process drives campaign {@code campaignId} of data directory {@code dir} right now, found without
     * writing anything: a shared lock on its lock file is refused while an engine holds the exclusive one.
     */
    public static boolean driven(Path dir, String campaignId) {
        Path file = lockFile(dir, campaignId);
        synchronized (HELD) {
            if (HELD.contains(file)) {
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
        try {
            devices.close();
        } finally {
            log.close();
        }
    }

    /** Held while an engine drives a campaign. */
    public static final class EngineLock implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;

        EngineLock(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        private boolean released; // guarded by HELD

        @Override
        public void close() {
            synchronized (HELD) {
                if (released) {
                    return; // let go already: the file may be another lock's by now
                }
                released = true;
                try {
                    lock.release();
                    channel.close();
                } catch (IOException e) {
                    throw new CampaignLockedException("cannot release campaign lock: " + e.getMessage());
                } finally {
                    HELD.remove(file);
                }
            }
        }
    }
}
