package org.labloop.device;

import org.labloop.workcell.DeviceSpec;

/**
 * How a driver for real instruments plugs into LabLoop: a jar on the class path (the {@code plugins/} folder beside
 * the launcher) that lists its implementation in {@code META-INF/services/org.labloop.device.DriverProvider}. A
 * workcell file then names it by {@link #type()} ({@code driver: {type: my-hplc, options: {...}}}). See
 * docs/drivers.md.
 */
public interface DriverProvider {

    /** The name workcell files use for this driver; not {@code sim}, and unique among the providers present. */
    String type();

    /** A driver for {@code device}, built from its workcell entry (its {@code driver.options}) and the engine's context. */
    Driver create(DeviceSpec device, DriverContext context);

    /**
     * True when the driver simulates its device in virtual time (a digital twin); false, the default, for a real
     * instrument: its campaigns then run on the wall clock, and no other process may run a campaign on the same
     * workcell's devices at the same time.
     */
    default boolean simulated() {
        return false;
    }
}
