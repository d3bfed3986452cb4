package org.labloop.workcell;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One device of a workcell: its name, kind, what it can do, how many experiments it holds at once, its driver, and
 * the changeover each of its positions needs between two steps of different setup (another step type, another
 * temperature).
 */
public record DeviceSpec(
        String name, DeviceKind kind, Set<String> capabilities, int capacity, DriverSpec driver, Duration changeover) {
    public DeviceSpec {
        Objects.requireNonNull(changeover, "changeover");
        if (changeover.isNegative()) {
            throw new IllegalArgumentException("device " + name + " changeover must not be negative");
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        capabilities = Set.copyOf(capabilities);
        Objects.requireNonNull(driver, "driver");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a device needs a name");
        }
        if (capabilities.isEmpty()) {
            throw new IllegalArgumentException("device " + name + " needs at least one capability");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("device " + name + " capacity must be at least 1, got " + capacity);
        }
    }

    /** A device without changeover. */
    public DeviceSpec(String name, DeviceKind kind, Set<String> capabilities, int capacity, DriverSpec driver) {
        this(name, kind, capabilities, capacity, driver, Duration.ZERO);
    }

    public boolean can(String capability) {
        return capabilities.contains(capability);
    }
}
