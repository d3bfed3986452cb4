package org.labloop.device;

import java.time.Instant;
import java.util.Optional;

/**
 * The one interface between LabLoop and a device. Simulated drivers ship with the product; real instruments plug in
 * by implementing this and registering a factory by name.
 */
public interface Driver {

    /** The device this driver runs, as named in the workcell file. */
    String device();

    /**
     * Starts a step and returns at once; the end is reported to {@code listener} through the engine's clock. Asking
     * again with an idempotency key already started does not start the work twice.
     *
     * @throws DeviceException when the device refuses the step outright
     */
    void start(StepRequest request, StepListener listener);

    /** What the device knows of the step with this key; asked after an engine restart. */
    StepStatus query(String idempotencyKey);

    /**
     * Re-attaches to a step the device is still running (after an engine restart): its end is reported to
     * {@code listener} as if it had been started by this engine.
     */
    void adopt(StepRequest request, StepListener listener);

    /** Stops a running step if possible; its listener is then never called. Returns false if it was not running. */
    boolean cancel(String idempotencyKey);

    /** Steps running now. */
    int busy();

    /**
     * When the device is off line (disconnected, in maintenance), the engine-clock time it is expected back; empty
     * while it is on line. The engine sends nothing to an off-line device.
     */
    default Optional<Instant> offlineUntil() {
        return Optional.empty();
    }
}
