package org.labloop.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Real time for real devices. Timers fire on a helper thread and hand their action to the loop thread. */
public final class WallClock implements LabClock, AutoCloseable {
    private final Clock clock;
    private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timers;

    public WallClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "labloop-timers");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.timers = executor;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable action) {
        Objects.requireNonNull(action, "action");
        ScheduledFuture<?> future = timers.schedule(() -> inbox.add(action), delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void execute(Runnable action) {
        inbox.add(Objects.requireNonNull(action, "action"));
    }

    @Override
    public boolean runNext(Duration maxWait) {
        Runnable next;
        try {
            next = inbox.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS);
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
        return false;
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
