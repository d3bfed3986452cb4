package org.labloop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PacedClockTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Real time as the test sets it, in nanoseconds; it tells {@code read} each time the clock looks at it. */
    private static final class Ticker implements PacedClock.Ticker {
        final AtomicLong nanos = new AtomicLong();
        final Semaphore read = new Semaphore(0);

        @Override
        public long nanoTime() {
            read.release();
            return nanos.get();
        }
    }

    @Test
    void aTimerRuns_whenRealTimeReachesItsVirtualDelayDividedByThePace_atItsVirtualTime() {
        Ticker ticker = new Ticker();
        PacedClock clock = new PacedClock(T0, 600, ticker); // one virtual minute = 100 ms
        List<Instant> seen = new ArrayList<>();
        clock.schedule(Duration.ofMinutes(1), () -> seen.add(clock.now()));
        clock.schedule(Duration.ofMinutes(2), () -> seen.add(clock.now()));

        ticker.nanos.set(100_000_000); // the first one's moment: due without waiting
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        ticker.nanos.set(200_000_000);
        assertThat(clock.runNext(Duration.ZERO)).isTrue();

        assertThat(seen).containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
        assertThat(clock.runNext(Duration.ZERO)).isFalse();
    }

    @Test
    @Timeout(60) // A clock the action did not wake would wait the timer's hour.
    void anActionFromAnotherThread_wakesTheClockWhileItWaitsForATimer_andRunsAtTheVirtualMomentItCame()
            throws Exception {
        Ticker ticker = new Ticker();
        PacedClock clock = new PacedClock(T0, 1, ticker); // a virtual hour takes an hour of the ticker's time
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofHours(1), () -> ran.add("timer"));
        List<Instant> seen = new ArrayList<>();
        ticker.read.drainPermits();
        Thread other = new Thread(() -> {
            // Once runNext has read the time, it is about to wait (or waits) for the timer's hour.
            ticker.read.acquireUninterruptibly();
            ticker.nanos.set(Duration.ofMinutes(20).toNanos());
            clock.execute(() -> seen.add(clock.now()));
        });
        other.start();

        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        other.join();

        assertThat(seen).containsExactly(T0.plus(Duration.ofMinutes(20)));
        assertThat(ran).as("the timer's hour has not passed").isEmpty();
        ticker.nanos.set(Duration.ofHours(1).toNanos());
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(ran).containsExactly("timer");
        assertThat(clock.now()).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void whileNothingIsScheduled_virtualTimeRunsOn_andAPersonsActionLandsAtItsMoment() {
        Ticker ticker = new Ticker();
        PacedClock clock = new PacedClock(T0, 60, ticker); // a real second is a virtual minute
        // Paused: nothing scheduled; the loop looks for a person's action now and then.
        ticker.nanos.set(Duration.ofSeconds(10).toNanos());
        assertThat(clock.runNext(Duration.ofMillis(1))).isFalse();
        assertThat(clock.runNext(Duration.ZERO)).isFalse();
        assertThat(clock.now())
                .as("nothing recorded meanwhile, so nothing moved")
                .isEqualTo(T0);
        ticker.nanos.set(Duration.ofSeconds(40).toNanos());
        List<Instant> seen = new ArrayList<>();
        clock.execute(() -> seen.add(clock.now()));
        assertThat(clock.runNext(Duration.ofMillis(1))).isTrue();
        assertThat(seen).containsExactly(T0.plus(Duration.ofMinutes(40)));

        // Steps scheduled after it are paced from there.
        List<Instant> fired = new ArrayList<>();
        clock.schedule(Duration.ofMinutes(5), () -> fired.add(clock.now()));
        ticker.nanos.set(Duration.ofSeconds(45).toNanos());
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(fired).containsExactly(T0.plus(Duration.ofMinutes(45)));
    }

    @Test
    void unpaced_actionsRunAtTheLastTimersTime() {
        Ticker ticker = new Ticker();
        PacedClock clock = new PacedClock(T0, 0, ticker);
        clock.schedule(Duration.ofMinutes(5), () -> {});
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        ticker.nanos.set(Duration.ofHours(1).toNanos());
        List<Instant> seen = new ArrayList<>();
        clock.execute(() -> seen.add(clock.now()));
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(seen).containsExactly(T0.plus(Duration.ofMinutes(5)));
    }

    @Test
    @Timeout(60) // Waiting any share of three days would hang here.
    void paceZero_runsAsFastAsAVirtualClock() {
        Ticker ticker = new Ticker(); // real time does not move at all
        PacedClock clock = new PacedClock(T0, 0, ticker);
        clock.schedule(Duration.ofDays(3), () -> {});
        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(clock.now()).isEqualTo(T0.plus(Duration.ofDays(3)));
        assertThat(clock.runNext(Duration.ZERO)).isFalse();
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
