package org.labloop.emulator;

import java.util.Map;
import java.util.Objects;

/** An emulator as a campaign file names it: a registry type and its options. */
public record EmulatorSpec(String type, Map<String, Object> options) {
    public EmulatorSpec {
        Objects.requireNonNull(type, "type");
        options = Map.copyOf(options);
    }
}
