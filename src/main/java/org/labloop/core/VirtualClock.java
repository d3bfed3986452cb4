package org.labloop.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Discrete-event time: {@link #runNext} jumps to the earliest scheduled action. Actions due at the same instant run in
 * the order they were scheduled, which keeps seeded runs identical event for event.
 */
public final class VirtualClock implements LabClock {
    private final TimerQueue timers = new TimerQueue();
    private final BlockingQueue<Runnable> external = new LinkedBlockingQueue<>();
    private Instant now;

    public VirtualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable action) {
        return timers.add(now, delay, action);
    }

    @Override
    public void execute(Runnable action) {
        external.add(Objects.requireNonNull(action, "action"));
    }

    @Override
    public boolean runNext(Duration maxWait) {
        Runnable next = external.poll();
        if (next == null) {
            Timer timer = timers.take();
            if (timer == null) {
                // Nothing scheduled: only another thread (an operator's pause or resume) can give us work.
                return awaitExternal(maxWait);
            }
            now = timer.due;
            next = timer.action;
        }
        next.run();
        return true;
    }

    private boolean awaitExternal(Duration maxWait) {
        if (maxWait.isZero() || maxWait.isNegative()) {
            return false;
        }
        Runnable next;
        try {
            next = external.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (next == null) {
            return false;
        }
        next.run();
        return true;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    /** Number of scheduled actions that have not run and were not cancelled. */
    public int pending() {
        return timers.live() + external.size();
    }
}
