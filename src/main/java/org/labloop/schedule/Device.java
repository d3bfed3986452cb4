package org.labloop.schedule;

import java.util.Objects;
import java.util.Set;

/**
 * A device as the scheduler sees it: what it can do, how many steps it holds at once ({@code capacity}, its positions,
 * which the scheduler calls lanes), and the changeover it needs between two steps of a different setup (another step
 * type or temperature), in milliseconds.
 */
public record Device(String name, Set<String> capabilities, int capacity, long changeoverMs) {
    public Device {
        Objects.requireNonNull(name, "name");
        capabilities = Set.copyOf(capabilities);
        if (capacity < 1) {
            throw new IllegalArgumentException("device " + name + " needs a capacity of at least 1");
        }
        if (changeoverMs < 0) {
            throw new IllegalArgumentException("device " + name + " changeover must not be negative");
        }
    }

    public Device(String name, Set<String> capabilities, int capacity) {
        this(name, capabilities, capacity, 0);
    }

    public boolean can(String capability) {
        return capabilities.contains(capability);
    }
}
