package org.labloop.core;

import java.time.Duration;
import java.time.Instant;

/**
 * The engine's only source of time and its event loop. Virtual clocks jump straight to the next due action, so a
 * three-day campaign replays in seconds; the wall clock waits in real time. Every action runs on the thread that calls
 * {@link #runNext}, so the engine's state needs no locks.
 */
public interface LabClock {

    Instant now();

    /** Runs {@code action} on the loop thread once {@code delay} has passed. */
    Cancellable schedule(Duration delay, Runnable action);

    /** Hands {@code action} to the loop thread; safe to call from any thread (a real driver's callback). */
    void execute(Runnable action);

    /**
     * Runs the next due action, waiting for it if needed (at most {@code maxWait} of real time on a wall clock).
     *
     * @return false when nothing is queued or scheduled (virtual) or nothing arrived within {@code maxWait} (wall)
     */
    boolean runNext(Duration maxWait);

    /** True when this clock jumps through time instead of waiting. */
    boolean isVirtual();

    /** A scheduled action that may still be called off. */
    interface Cancellable {
        /** @return true if the action had not run yet and now never will */
        boolean cancel();
    }
}
