package org.labloop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacedClockTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void timestampsAreVirtual_andRealTimeIsVirtualDividedByPace() {
        // Timed from before the clock exists: it counts real time from its creation, and setting up the timers (a
        // lambda's first use) can take tens of milliseconds on a cold JVM.
        long t0 = System.nanoTime();
        PacedClock clock = new PacedClock(T0, 600); // one virtual minute = 100 ms
        List<Instant> seen = new ArrayList<>();
        clock.schedule(Duration.ofMinutes(1), () -> seen.add(clock.now()));
        clock.schedule(Duration.ofMinutes(2), () -> seen.add(clock.now()));
        while (clock.runNext(Duration.ZERO)) {
            // run both timers
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(seen).containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
        assertThat(ms).isBetween(199L, 1500L);
    }

    @Test
    void paceZero_runsAsFastAsAVirtualClock() {
        PacedClock clock = new PacedClock(T0, 0);
        clock.schedule(Duration.ofDays(3), () -> {});
        long t0 = System.nanoTime();
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        // Did not wait the three days, nor any share of them (a bound far above any pause of a loaded machine).
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(30_000);
        assertThat(clock.now()).isEqualTo(T0.plus(Duration.ofDays(3)));
        assertThat(clock.runNext(Duration.ZERO)).isFalse();
    }

    @Test
    void actionsFromOtherThreads_runWhileItWaits_withoutMovingTime() throws Exception {
        PacedClock clock = new PacedClock(T0, 1); // a virtual hour would take an hour
        clock.schedule(Duration.ofHours(1), () -> {});
        List<Instant> seen = new ArrayList<>();
        Thread other = new Thread(() -> clock.execute(() -> seen.add(clock.now())));
        other.start();
        other.join();
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(seen).containsExactly(T0);
    }

    @Test
    void close_stopsTheLoopFromAnotherThread() throws Exception {
        PacedClock clock = new PacedClock(T0, 1);
        clock.schedule(Duration.ofHours(1), () -> {});
        new Thread(() -> {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    clock.close();
                })
                .start();
        assertThatThrownBy(() -> clock.runNext(Duration.ZERO)).isInstanceOf(PacedClock.Stopped.class);
    }

    @Test
    void negativePace_isRefused() {
        assertThatThrownBy(() -> new PacedClock(T0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
