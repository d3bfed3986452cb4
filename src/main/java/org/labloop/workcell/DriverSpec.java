package org.labloop.workcell;

import java.util.Map;
import java.util.Objects;

/**
 * Which driver runs a device and how: {@code type} picks it from the driver registry ({@code sim} for simulated
 * devices); {@code durations} gives each capability's step timing; {@code options} holds driver-specific settings.
 */
public record DriverSpec(String type, Map<String, StepTiming> durations, Map<String, Object> options) {
    public DriverSpec {
        Objects.requireNonNull(type, "type");
        durations = Map.copyOf(durations);
        options = Map.copyOf(options);
    }
}
