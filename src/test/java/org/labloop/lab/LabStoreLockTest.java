package org.labloop.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A campaign's lock survives the same process asking about it: POSIX locks go with any close of the file. */
class LabStoreLockTest {
    @TempDir
    Path dir;

    @Test
    void aHeldLock_isKept_whenThisProcessAsksWhetherTheCampaignIsDriven_orTriesToLockItAgain() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/locks")), "needs /proc/locks");
        try (LabStore store = LabStore.open(dir)) {
            LabStore.EngineLock held = store.lock("c-1");
            try {
                Path file = dir.resolve("locks").resolve("c-1.lock");
                assertThat(locksHeldOn(file)).as("held").isPositive();

                assertThat(LabStore.driven(new org.labloop.store.StoreLocation.Directory(dir), "c-1"))
                        .isTrue();
                assertThatThrownBy(() -> store.lock("c-1")).isInstanceOf(CampaignLockedException.class);
                assertThat(store.running("c-1")).isTrue();

                assertThat(locksHeldOn(file)).as("still held after the probes").isPositive();
            } finally {
                held.close();
            }
            held.close(); // a second close lets go of nothing more
            assertThat(LabStore.driven(new org.labloop.store.StoreLocation.Directory(dir), "c-1"))
                    .isFalse();
            store.lock("c-1").close();
        }
    }

    /**
     * On a PostgreSQL store, asking whether a campaign is driven takes its lock shared for a moment on a session of its
     * own; a lock this same process takes meanwhile must not be refused for it.
     */
    @Test
    void onPostgres_lockingWhileThisProcessAsksWhetherTheCampaignIsDriven_isNeverRefused() throws Exception {
        try (org.labloop.store.TestPostgres pg = org.labloop.store.TestPostgres.fresh();
                LabStore store = LabStore.open(pg.location())) {
            String id = store.log().newCampaignId("probed");
            store.log()
                    .append(
                            id,
                            java.time.Instant.EPOCH,
                            "user:test",
                            new org.labloop.event.EventBody.CampaignCreated("probed", 1, "test", java.util.List.of()));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
            Thread prober = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    store.driven(id);
                    probes.incrementAndGet();
                }
            });
            int refused = 0;
            try {
                for (int i = 0; i < 500; i++) {
                    try {
                        store.lock(id).close();
                    } catch (CampaignLockedException e) {
                        refused++;
                    }
                }
            } finally {
                stop.set(true);
                prober.join();
            }
            assertThat(probes.get()).as("probes made meanwhile").isGreaterThan(10);
            assertThat(refused).as("locks refused of 500").isZero();
        }
    }

    /** POSIX locks this process holds on {@code file}'s inode, from /proc/locks. */
    private static long locksHeldOn(Path file) throws java.io.IOException {
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        String pid = Long.toString(ProcessHandle.current().pid());
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length > 5 && f[1].equals("POSIX") && f[4].equals(pid))
                .filter(f -> f[5].endsWith(":" + inode))
                .count();
    }
}
