package org.labloop.workcell;

import java.util.OptionalLong;

/**
 * How long a step of one capability takes on the devices of a workcell that can run it, in milliseconds: the shortest
 * and longest it is planned for (mean less or plus three standard deviations, over every such device) and the mean.
 * Each device's {@code setup_min} (a simulated driver option) is included.
 */
public record DurationRange(long loMs, long meanMs, long hiMs) {
    public DurationRange {
        if (loMs < 0 || loMs > meanMs || meanMs > hiMs) {
            throw new IllegalArgumentException(
                    "duration range must have 0 <= lo <= mean <= hi, got " + loMs + ", " + meanMs + ", " + hiMs);
        }
    }

    /**
     * The range for {@code capability} on {@code workcell}: a step whose protocol fixes its duration ({@code fixedMs})
     * takes exactly that (plus setup) on every device; otherwise each device's timing for the capability (one minute
     * when it has none). Empty-handed callers get an exception: no device can run the capability.
     */
    public static DurationRange of(Workcell workcell, String capability, OptionalLong fixedMs) {
        long lo = Long.MAX_VALUE;
        long hi = 0;
        long sum = 0;
        int n = 0;
        for (DeviceSpec d : workcell.devicesFor(capability)) {
            long setup = 0;
            if (d.driver().options().get("setup_min") instanceof Number m) {
                setup = Math.round(m.doubleValue() * 60_000);
            }
            long mean;
            long sd;
            if (fixedMs.isPresent()) {
                mean = fixedMs.getAsLong();
                sd = 0;
            } else {
                StepTiming t = d.driver().durations().get(capability);
                mean = t == null ? 60_000 : t.mean().toMillis();
                sd = t == null ? 0 : t.sd().toMillis();
            }
            // Saturating: absurd timings stay absurd (and are refused elsewhere) rather than wrapping round.
            lo = Math.min(lo, add(setup, Math.max(0, mean - 3 * sd)));
            hi = Math.max(hi, add(add(setup, mean), 3 * sd));
            sum = add(sum, add(setup, mean));
            n++;
        }
        if (n == 0) {
            throw new IllegalArgumentException("no device of workcell " + workcell.name() + " can " + capability);
        }
        return new DurationRange(lo, Math.max(lo, Math.min(hi, sum / n)), hi);
    }

    private static long add(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE / 4 : Math.min(r, Long.MAX_VALUE / 4);
    }
}
