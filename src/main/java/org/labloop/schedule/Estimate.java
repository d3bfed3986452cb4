package org.labloop.schedule;

/**
 * How long a step takes, in milliseconds: the expected time and the range it stays in ({@code lo} to {@code hi}). The
 * scheduler plans with the mean and reserves devices up to {@code hi}, so a step that ends anywhere in the range keeps
 * every promise made to time-critical chains; a step that runs past {@code hi} makes it replan.
 */
public record Estimate(long mean, long lo, long hi) {
    public Estimate {
        if (lo < 0 || lo > mean || mean > hi) {
            throw new IllegalArgumentException("need 0 <= lo <= mean <= hi, got " + lo + ", " + mean + ", " + hi);
        }
    }

    /** A duration known exactly. */
    public static Estimate exactly(long ms) {
        return new Estimate(ms, ms, ms);
    }

    /** A normal duration cut at three standard deviations (and at zero). */
    public static Estimate normal(long mean, long sd) {
        return new Estimate(mean, Math.max(0, mean - 3 * sd), mean + 3 * sd);
    }

    public static Estimate minutes(double mean, double sd) {
        return normal(Math.round(mean * 60_000), Math.round(sd * 60_000));
    }
}
