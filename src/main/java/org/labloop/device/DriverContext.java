package org.labloop.device;

import java.util.Objects;
import java.util.Optional;
import org.labloop.core.LabClock;
import org.labloop.emulator.Emulator;

/**
 * What a driver gets from the engine: the clock to schedule on, a seed for its random streams (timing jitter, noise,
 * faults), the emulator that answers for simulated analysers, where simulated devices keep their own memory, and the
 * campaign the drivers serve ({@code scope}, empty when none): a simulated device is the campaign's own twin, so what
 * it remembers beyond single steps (being off line) is kept under that name.
 */
public record DriverContext(LabClock clock, long seed, Optional<Emulator> emulator, DeviceMemory memory, String scope) {
    public DriverContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(emulator, "emulator");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(scope, "scope");
    }

    public DriverContext(LabClock clock, long seed, Optional<Emulator> emulator, DeviceMemory memory) {
        this(clock, seed, emulator, memory, "");
    }

    /** A context whose simulated devices remember their steps only for the life of the process. */
    public DriverContext(LabClock clock, long seed, Optional<Emulator> emulator) {
        this(clock, seed, emulator, DeviceMemory.inProcess());
    }
}
