package org.labloop.device;

import java.util.Objects;
import java.util.Optional;
import org.labloop.core.LabClock;
import org.labloop.emulator.Emulator;

/**
 * What a driver gets from the engine: the clock to schedule on, a seed for its random streams (timing jitter, noise,
 * faults), the emulator that answers for simulated analysers, and where simulated devices keep their own memory.
 */
public record DriverContext(LabClock clock, long seed, Optional<Emulator> emulator, DeviceMemory memory) {
    public DriverContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(emulator, "emulator");
        Objects.requireNonNull(memory, "memory");
    }

    /** A context whose simulated devices remember their steps only for the life of the process. */
    public DriverContext(LabClock clock, long seed, Optional<Emulator> emulator) {
        this(clock, seed, emulator, DeviceMemory.inProcess());
    }
}
