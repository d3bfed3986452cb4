package org.labloop.workcell;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The devices of one lab cell, in the order the workcell file declares them. */
public record Workcell(String name, List<DeviceSpec> devices) {
    public Workcell {
        Objects.requireNonNull(name, "name");
        devices = List.copyOf(devices);
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("workcell " + name + " needs at least one device");
        }
        Set<String> seen = new HashSet<>();
        for (DeviceSpec d : devices) {
            if (!seen.add(d.name())) {
                throw new IllegalArgumentException("workcell " + name + " declares device " + d.name() + " twice");
            }
        }
    }

    public Optional<DeviceSpec> device(String deviceName) {
        return devices.stream().filter(d -> d.name().equals(deviceName)).findFirst();
    }

    /** Devices that can perform {@code capability}, in declaration order. */
    public List<DeviceSpec> devicesFor(String capability) {
        return devices.stream().filter(d -> d.can(capability)).toList();
    }

    public Set<String> capabilities() {
        Set<String> all = new TreeSet<>();
        devices.forEach(d -> all.addAll(d.capabilities()));
        return all;
    }
}
