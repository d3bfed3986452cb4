package org.labloop.engine;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What each position of each device with a changeover was last set up for: the setup of the step most recently started
 * in it, by engine-clock time, whichever campaign started it.
 */
final class DeviceSetups {
    private record Position(String device, int position) {}

    private record Last(Instant at, String setup) {}

    private final Map<Position, Last> last = new HashMap<>();

    void started(String device, int position, Instant at, String setup) {
        Position key = new Position(device, position);
        Last l = last.get(key);
        if (l == null || !at.isBefore(l.at())) {
            last.put(key, new Last(at, setup));
        }
    }

    /** The position's last setup, or null when nothing ran in it yet. */
    String last(String device, int position) {
        Last l = last.get(new Position(device, position));
        return l == null ? null : l.setup();
    }
}
