package org.labloop.device;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine asks of a device: one step of one experiment. {@code idempotencyKey} names this attempt, so a driver
 * asked twice does the work once. {@code parameters} are the experiment's full point (an analyser's emulator needs
 * them); {@code duration}, when present, is how long the protocol says the step lasts; {@code changeover} is how long
 * the device must first spend switching from the setup of the step before (zero when the setup is the same);
 * {@code position} is which of the device's positions (numbered from 1 to its capacity) the step is to use.
 */
public record StepRequest(
        String idempotencyKey,
        String experimentId,
        int step,
        String stepName,
        String capability,
        Map<String, Object> args,
        Map<String, Object> parameters,
        Optional<Duration> duration,
        boolean measures,
        Duration changeover,
        int position) {
    public StepRequest {
        if (position < 1) {
            throw new IllegalArgumentException(
                    "step " + idempotencyKey + ": positions are numbered from 1, got " + position);
        }
        Objects.requireNonNull(changeover, "changeover");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(stepName, "stepName");
        Objects.requireNonNull(capability, "capability");
        args = Map.copyOf(args);
        parameters = Map.copyOf(parameters);
        Objects.requireNonNull(duration, "duration");
    }

    /** A request for the first position, with no changeover before it. */
    public StepRequest(
            String idempotencyKey,
            String experimentId,
            int step,
            String stepName,
            String capability,
            Map<String, Object> args,
            Map<String, Object> parameters,
            Optional<Duration> duration,
            boolean measures) {
        this(
                idempotencyKey,
                experimentId,
                step,
                stepName,
                capability,
                args,
                parameters,
                duration,
                measures,
                Duration.ZERO,
                1);
    }
}
