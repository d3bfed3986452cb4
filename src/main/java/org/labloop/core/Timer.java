package org.labloop.core;

import java.time.Instant;

/**
 * An action due at an instant of virtual time. Timers due at the same instant order by when they were scheduled, which
 * keeps seeded runs identical event for event.
 */
final class Timer implements Comparable<Timer>, LabClock.Cancellable {
    final Instant due;
    final long seq;
    final Runnable action;
    boolean cancelled;
    boolean done;

    Timer(Instant due, long seq, Runnable action) {
        this.due = due;
        this.seq = seq;
        this.action = action;
    }

    @Override
    public int compareTo(Timer o) {
        int c = due.compareTo(o.due);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    @Override
    public boolean cancel() {
        if (done || cancelled) {
            return false;
        }
        cancelled = true;
        return true;
    }
}
