package org.labloop.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;

/** The timers of a virtual clock, earliest first; cancelled ones are skipped, never run. */
final class TimerQueue {
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long sequence;

    Timer add(Instant now, Duration delay, Runnable action) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        Timer timer = new Timer(now.plus(delay), sequence++, Objects.requireNonNull(action, "action"));
        timers.add(timer);
        return timer;
    }

    /** The next timer that will run, left in the queue; null when there is none. */
    Timer peek() {
        Timer timer = timers.peek();
        while (timer != null && timer.cancelled) {
            timers.poll();
            timer = timers.peek();
        }
        return timer;
    }

    /** Takes the next timer that will run and marks it done (it can no longer be cancelled); null when none. */
    Timer take() {
        Timer timer = peek();
        if (timer != null) {
            timers.poll();
            timer.done = true;
        }
        return timer;
    }

    int live() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }
}
