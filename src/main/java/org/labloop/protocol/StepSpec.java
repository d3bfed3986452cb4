package org.labloop.protocol;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One step of a protocol. It runs on a device with {@code capability}; {@code args} go to the driver;
 * {@code durationMinutes}, when given, overrides the device's timing (a reaction lasts its residence time);
 * {@code measures} marks the step whose outputs become the experiment's measurements; {@code window}, when present,
 * says how soon after an earlier step's end this one must start. {@code timeout}, when given, is how long the engine
 * waits for the device before it cancels the step and counts it as failed; {@code retryable} says whether the step may
 * run again on the same material; {@code onFailure} says what happens when it fails. {@code setup}, when given, is
 * what a device with a changeover must be set up for (a temperature, a method); steps of one name and setup follow each
 * other without changeover.
 */
public record StepSpec(
        String name,
        String capability,
        Map<String, Arg> args,
        Optional<Arg> durationMinutes,
        boolean measures,
        Optional<TimeWindow> window,
        Optional<Duration> timeout,
        boolean retryable,
        FailurePolicy onFailure,
        Optional<Arg> setup) {
    public StepSpec {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(capability, "capability");
        args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
        Objects.requireNonNull(durationMinutes, "durationMinutes");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onFailure, "onFailure");
        if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
            throw new IllegalArgumentException("step " + name + ": timeout must be positive, got " + timeout.get());
        }
        if (!retryable && (onFailure.retries() > 0 || onFailure.then() == FailurePolicy.Then.OTHER_DEVICE)) {
            throw new IllegalArgumentException("step " + name + " is not retryable, so on_failure may not retry it"
                    + " or move it to another device; use then: fail or then: pause");
        }
    }

    /** A step without a setup of its own (only its name counts for changeovers). */
    public StepSpec(
            String name,
            String capability,
            Map<String, Arg> args,
            Optional<Arg> durationMinutes,
            boolean measures,
            Optional<TimeWindow> window,
            Optional<Duration> timeout,
            boolean retryable,
            FailurePolicy onFailure) {
        this(
                name,
                capability,
                args,
                durationMinutes,
                measures,
                window,
                timeout,
                retryable,
                onFailure,
                Optional.empty());
    }

    /** What a device must be set up for to run this step for an experiment with these parameter values. */
    public String setupFor(Map<String, Object> parameters) {
        return setup.map(a -> name + ":" + a.resolve(parameters)).orElse(name);
    }

    /** A retryable step with no window and no timeout that fails its experiment when it fails. */
    public StepSpec(
            String name, String capability, Map<String, Arg> args, Optional<Arg> durationMinutes, boolean measures) {
        this(name, capability, args, durationMinutes, measures, Optional.empty());
    }

    /** A step with this time window and the default failure handling. */
    public StepSpec(
            String name,
            String capability,
            Map<String, Arg> args,
            Optional<Arg> durationMinutes,
            boolean measures,
            Optional<TimeWindow> window) {
        this(name, capability, args, durationMinutes, measures, window, Optional.empty(), true, FailurePolicy.FAIL);
    }

    /** A step without a time window, with this failure handling. */
    public StepSpec(
            String name,
            String capability,
            Map<String, Arg> args,
            Optional<Arg> durationMinutes,
            boolean measures,
            Optional<Duration> timeout,
            boolean retryable,
            FailurePolicy onFailure) {
        this(name, capability, args, durationMinutes, measures, Optional.empty(), timeout, retryable, onFailure);
    }

    /** Parameters this step refers to. */
    public Set<String> parameterRefs() {
        Set<String> refs = new TreeSet<>();
        args.values().forEach(a -> {
            if (a instanceof Arg.Ref r) {
                refs.add(r.parameter());
            }
        });
        durationMinutes.ifPresent(a -> {
            if (a instanceof Arg.Ref r) {
                refs.add(r.parameter());
            }
        });
        setup.ifPresent(a -> {
            if (a instanceof Arg.Ref r) {
                refs.add(r.parameter());
            }
        });
        return refs;
    }
}
