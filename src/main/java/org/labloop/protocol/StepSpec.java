package org.labloop.protocol;

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
 * says how soon after an earlier step's end this one must start.
 */
public record StepSpec(
        String name,
        String capability,
        Map<String, Arg> args,
        Optional<Arg> durationMinutes,
        boolean measures,
        Optional<TimeWindow> window) {
    public StepSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(capability, "capability");
        args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
        Objects.requireNonNull(durationMinutes, "durationMinutes");
        Objects.requireNonNull(window, "window");
    }

    /** A step without a time window. */
    public StepSpec(
            String name, String capability, Map<String, Arg> args, Optional<Arg> durationMinutes, boolean measures) {
        this(name, capability, args, durationMinutes, measures, Optional.empty());
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
        return refs;
    }
}
