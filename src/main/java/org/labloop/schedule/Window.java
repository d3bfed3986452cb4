package org.labloop.schedule;

/**
 * A time window between two steps of one experiment: this step must start between {@code minLagMs} and
 * {@code maxLagMs} after step {@code after} ends ("analyse within 10 minutes after the reaction": min 0, max 10 min;
 * "quench exactly at tau": min = max). {@code maxLagMs} is {@link Long#MAX_VALUE} when only a minimum wait is asked.
 */
public record Window(int after, long minLagMs, long maxLagMs) {
    public Window {
        if (after < 0 || minLagMs < 0 || maxLagMs < minLagMs) {
            throw new IllegalArgumentException(
                    "bad window: after step " + after + ", lag " + minLagMs + " to " + maxLagMs + " ms");
        }
    }

    public static Window within(int after, long maxLagMs) {
        return new Window(after, 0, maxLagMs);
    }

    public static Window exactly(int after, long lagMs) {
        return new Window(after, lagMs, lagMs);
    }

    /** True when the window has an upper end: the step is time-critical. */
    public boolean bounded() {
        return maxLagMs != Long.MAX_VALUE;
    }
}
