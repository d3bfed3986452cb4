package org.labloop.device;

import java.util.Objects;
import java.util.Optional;
import org.labloop.core.LabClock;
import org.labloop.emulator.Emulator;

/**
 * What a driver gets from the engine: the clock to schedule on, a seed for its own random stream (timing jitter,
 * noise), and the emulator that answers for simulated analysers.
 */
public record DriverContext(LabClock clock, long seed, Optional<Emulator> emulator) {
    public DriverContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(emulator, "emulator");
    }
}
