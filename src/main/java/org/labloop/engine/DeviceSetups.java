package org.labloop.engine;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What each device with a changeover was last set up for: the setup of the step most recently started on it, by
 * engine-clock time, whichever campaign started it.
 */
final class DeviceSetups {
    private record Last(Instant at, String setup) {}

    private final Map<String, Last> last = new HashMap<>();

    void started(String device, Instant at, String setup) {
        Last l = last.get(device);
        if (l == null || !at.isBefore(l.at())) {
            last.put(device, new Last(at, setup));
        }
    }

    /** The device's last setup, or null when nothing ran on it yet. */
    String last(String device) {
        Last l = last.get(device);
        return l == null ? null : l.setup();
    }
}
