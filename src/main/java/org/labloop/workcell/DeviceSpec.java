package org.labloop.workcell;

import java.util.Objects;
import java.util.Set;

/** One device of a workcell: its name, kind, what it can do, how many experiments it holds at once, its driver. */
public record DeviceSpec(String name, DeviceKind kind, Set<String> capabilities, int capacity, DriverSpec driver) {
    public DeviceSpec {
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

    public boolean can(String capability) {
        return capabilities.contains(capability);
    }
}
