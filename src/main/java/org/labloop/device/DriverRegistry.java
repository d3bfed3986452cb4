package org.labloop.device;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.labloop.workcell.DeviceSpec;

/** Drivers by type name, as written in workcell files ({@code driver: {type: sim}}). */
public final class DriverRegistry {
    private final Map<String, DriverFactory> factories;

    private DriverRegistry(Map<String, DriverFactory> factories) {
        this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
    }

    public static DriverRegistry standard() {
        Map<String, DriverFactory> f = new LinkedHashMap<>();
        f.put(SimDriver.TYPE, SimDriver::new);
        return new DriverRegistry(f);
    }

    public DriverRegistry with(String type, DriverFactory factory) {
        Map<String, DriverFactory> f = new LinkedHashMap<>(factories);
        f.put(Objects.requireNonNull(type), Objects.requireNonNull(factory));
        return new DriverRegistry(f);
    }

    public Set<String> names() {
        return factories.keySet();
    }

    /** True when every driver of this type runs in virtual time (simulated). */
    public boolean isSimulated(String type) {
        return SimDriver.TYPE.equals(type);
    }

    public Driver create(DeviceSpec device, DriverContext context) {
        DriverFactory factory = factories.get(device.driver().type());
        if (factory == null) {
            throw new DeviceException("device " + device.name() + ": unknown driver type '"
                    + device.driver().type() + "'; known drivers: " + String.join(", ", names()));
        }
        return factory.create(device, context);
    }

    /** Builds a driver for one device. */
    @FunctionalInterface
    public interface DriverFactory {
        Driver create(DeviceSpec device, DriverContext context);
    }
}
