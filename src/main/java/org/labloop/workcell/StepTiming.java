package org.labloop.workcell;

import java.time.Duration;
import java.util.Objects;

/** How long a step takes on a simulated device: a mean and a standard deviation (normal, truncated at zero). */
public record StepTiming(Duration mean, Duration sd) {
    public StepTiming {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(sd, "sd");
        if (mean.isNegative() || sd.isNegative()) {
            throw new IllegalArgumentException("step timing must not be negative: mean " + mean + ", sd " + sd);
        }
    }

    public static StepTiming fixed(Duration mean) {
        return new StepTiming(mean, Duration.ZERO);
    }
}
