package org.labloop.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Virtual time that people can watch: timers fire at their virtual times exactly as on a {@link VirtualClock} (so a
 * campaign nobody touches records the same events at any pace), but before each jump the clock waits {@code virtual
 * delay / pace} of real time. With a pace of 600, ten virtual minutes take one real second. Virtual time runs on with
 * real time between timers too: an action handed in from another thread (an operator's pause) runs at once, at the
 * virtual moment it arrived (never past the next timer), and time keeps passing while nothing is scheduled, as it would
 * in the lab a run stands for. A pace of 0 or infinity means no waiting at all, and then time moves only with timers.
 *
 * <p>{@link #close} stops the clock from any thread: the loop's next {@link #runNext} throws {@link Stopped}, which
 * ends the engine without writing anything (as a crash would, so a restart resumes the campaign).
 */
public final class PacedClock implements LabClock, AutoCloseable {
    /** If the loop falls further behind real time than this, pacing restarts from now instead of rushing to catch up. */
    private static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TimerQueue timers = new TimerQueue();
    private final BlockingQueue<Runnable> external = new LinkedBlockingQueue<>();
    private final double pace;
    private final Ticker ticker;
    private volatile boolean closed;
    private Instant now;
    private long anchorNanos;
    private Instant anchorVirtual;

    /** Real time in nanoseconds, injectable for tests. */
    @FunctionalInterface
    public interface Ticker {
        long nanoTime();
    }

    public PacedClock(Instant start, double pace) {
        this(start, pace, System::nanoTime);
    }

    public PacedClock(Instant start, double pace, Ticker ticker) {
        this.now = Objects.requireNonNull(start, "start");
        if (Double.isNaN(pace) || pace < 0) {
            throw new IllegalArgumentException("pace must be 0 (unpaced) or positive, got " + pace);
        }
        this.pace = pace == 0 ? Double.POSITIVE_INFINITY : pace;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        reanchor();
    }

    /** Virtual seconds per real second; infinite when unpaced. */
    public double pace() {
        return pace;
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
        checkOpen();
        Timer timer = timers.peek();
        Runnable next = external.poll();
        if (next != null) {
            catchUp(timer);
            next.run();
            return true;
        }
        if (timer == null) {
            return awaitExternal(maxWait);
        }
        long wait = deadline(timer.due) - ticker.nanoTime();
        if (wait < -MAX_LAG_NANOS) {
            reanchor();
        } else if (wait > 0) {
            Runnable early = poll(wait);
            checkOpen();
            if (early != null) {
                catchUp(timer);
                early.run();
                return true;
            }
        }
        timer = timers.take();
        now = timer.due;
        timer.action.run();
        return true;
    }

    private long deadline(Instant due) {
        if (Double.isInfinite(pace)) {
            return anchorNanos;
        }
        double virtualNanos = Duration.between(anchorVirtual, due).toNanos();
        return anchorNanos + (long) (virtualNanos / pace);
    }

    private void reanchor() {
        anchorNanos = ticker.nanoTime();
        anchorVirtual = now;
    }

    /**
     * Waits for an action from another thread while nothing is scheduled. Virtual time runs on meanwhile (the anchor
     * stays), but {@code now} moves only when an action arrives: the loop records nothing else at a moment no timer
     * chose, so a run nobody touches stays the same at any pace.
     */
    private boolean awaitExternal(Duration maxWait) {
        if (maxWait.isZero() || maxWait.isNegative()) {
            return false;
        }
        Runnable next = poll(maxWait.toNanos());
        checkOpen();
        if (next == null) {
            return false;
        }
        catchUp(null);
        next.run();
        return true;
    }

    /**
     * Before a person's action runs: moves virtual time to the real moment at this pace, never backwards and never
     * past {@code next}'s time (which it reaches by firing). The wake-up {@link #close} sends does not move it.
     */
    private void catchUp(Timer next) {
        if (Double.isInfinite(pace) || closed) {
            return;
        }
        double virtualNanos = (ticker.nanoTime() - anchorNanos) * pace;
        // Beyond a century of virtual time, the next timer (or nothing) bounds the jump anyway.
        Instant at = anchorVirtual.plusNanos((long) Math.min(virtualNanos, 3.15e18));
        if (next != null && at.isAfter(next.due)) {
            at = next.due;
        }
        if (at.isAfter(now)) {
            now = at;
        }
    }

    private Runnable poll(long nanos) {
        try {
            return external.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new Stopped();
        }
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    /** Stops the clock; safe from any thread. The loop thread's next turn throws {@link Stopped}. */
    @Override
    public void close() {
        closed = true;
        external.add(() -> {});
    }

    /** Thrown on the loop thread once the clock was closed: the engine stops where it is, writing nothing more. */
    public static final class Stopped extends LabLoopException {
        private static final long serialVersionUID = 1L;

        public Stopped() {
            super("the clock was stopped");
        }
    }
}
