package org.labloop.device;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import org.labloop.workcell.DeviceSpec;

/** Drivers by type name, as written in workcell files ({@code driver: {type: sim}}). */
public final class DriverRegistry {
    private final Map<String, DriverFactory> factories;
    /** The types that simulate their devices in virtual time. */
    private final Set<String> simulated;

    private DriverRegistry(Map<String, DriverFactory> factories, Set<String> simulated) {
        this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
        this.simulated = Set.copyOf(simulated);
    }

    /** The simulated driver, and every {@link DriverProvider} on the class path (the plugins folder). */
    public static DriverRegistry standard() {
        return with(ServiceLoader.load(DriverProvider.class, DriverRegistry.class.getClassLoader()));
    }

    /** The simulated driver and {@code providers}. */
    static DriverRegistry with(Iterable<DriverProvider> providers) {
        Map<String, DriverFactory> f = new LinkedHashMap<>();
        f.put(SimDriver.TYPE, SimDriver::new);
        Set<String> simulated = new java.util.HashSet<>(Set.of(SimDriver.TYPE));
        Map<String, String> by = new LinkedHashMap<>();
        by.put(SimDriver.TYPE, "LabLoop's simulated driver");
        try {
            for (DriverProvider p : providers) {
                String type = p.type();
                if (type == null || type.isBlank()) {
                    throw new DeviceException("driver plug-in " + p.getClass().getName() + " gives no type name;"
                            + " its type() must return the name workcell files use");
                }
                if (by.containsKey(type)) {
                    throw new DeviceException("driver type '" + type + "' is given by both " + by.get(type) + " and "
                            + p.getClass().getName() + "; remove one of them from the plugins folder");
                }
                by.put(type, p.getClass().getName());
                f.put(type, p::create);
                if (p.simulated()) {
                    simulated.add(type);
                }
            }
        } catch (java.util.ServiceConfigurationError e) {
            throw new DeviceException("a driver plug-in cannot be loaded: " + e.getMessage()
                    + "; check the jars in the plugins folder (built for Java 21, listing a public class with a public"
                    + " no-argument constructor in META-INF/services/" + DriverProvider.class.getName() + ")");
        }
        return new DriverRegistry(f, simulated);
    }

    public DriverRegistry with(String type, DriverFactory factory) {
        Map<String, DriverFactory> f = new LinkedHashMap<>(factories);
        f.put(Objects.requireNonNull(type), Objects.requireNonNull(factory));
        return new DriverRegistry(f, simulated);
    }

    public Set<String> names() {
        return factories.keySet();
    }

    /** True when every driver of this type runs in virtual time (simulated). */
    public boolean isSimulated(String type) {
        return simulated.contains(type);
    }

    public Driver create(DeviceSpec device, DriverContext context) {
        DriverFactory factory = factories.get(device.driver().type());
        if (factory == null) {
            throw new DeviceException("device " + device.name() + ": unknown driver type '"
                    + device.driver().type() + "'; known drivers: " + String.join(", ", names())
                    + " (a real instrument's driver plugs in as a jar in the plugins folder: docs/drivers.md)");
        }
        return factory.create(device, context);
    }

    /** Builds a driver for one device. */
    @FunctionalInterface
    public interface DriverFactory {
        Driver create(DeviceSpec device, DriverContext context);
    }
}
