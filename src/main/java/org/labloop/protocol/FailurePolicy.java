package org.labloop.protocol;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine does when a step fails: try it again up to {@code retries} times, waiting {@code backoff} before the
 * first retry and twice as long before each next one, then {@code then}. A step that is not {@code retryable} (a
 * reaction cannot be re-run on the same material) goes straight to {@code then}, which may then only fail the
 * experiment or pause for an operator.
 */
public record FailurePolicy(int retries, Duration backoff, Then then) {
    public static final FailurePolicy FAIL = new FailurePolicy(0, Duration.ZERO, Then.FAIL);

    /** After the retries: fail the experiment, run it on another device of the capability, or ask a person. */
    public enum Then {
        FAIL,
        OTHER_DEVICE,
        PAUSE;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Then> parse(String text) {
            for (Then t : values()) {
                if (t.yamlName().equals(text)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    public FailurePolicy {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(then, "then");
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("retries must be from 0 to 100, got " + retries);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, got " + backoff);
        }
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    public Duration backoffBefore(int attempt) {
        return backoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
    }
}
