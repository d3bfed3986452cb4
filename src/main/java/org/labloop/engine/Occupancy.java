package org.labloop.engine;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Which positions of each device this engine's running steps occupy, by step (idempotency key), so a step is always
 * handed a free position and gives back the one it had.
 */
final class Occupancy {
    private final Map<String, BitSet> busy = new HashMap<>();
    private final Map<String, Integer> positionOf = new HashMap<>();

    void take(String device, int position, String key) {
        BitSet b = busy.computeIfAbsent(device, d -> new BitSet());
        if (b.get(position)) {
            throw new EngineException("position " + (position + 1) + " of device " + device
                    + " is already in use; step " + key + " cannot have it");
        }
        b.set(position);
        positionOf.put(key, position);
    }

    /** Frees the position step {@code key} held on {@code device}, if it held one. */
    void release(String device, String key) {
        Integer p = positionOf.remove(key);
        if (p != null) {
            busy.get(device).clear(p);
        }
    }

    /** The position (0-based) step {@code key} holds, or -1 when it holds none. */
    int positionOf(String key) {
        Integer p = positionOf.get(key);
        return p == null ? -1 : p;
    }

    /** The lowest position that is neither in use nor in {@code alsoTaken} (may be null); -1 when all are. */
    int firstFree(String device, int capacity, BitSet alsoTaken) {
        BitSet b = busy.get(device);
        for (int p = 0; p < capacity; p++) {
            if ((b == null || !b.get(p)) && (alsoTaken == null || !alsoTaken.get(p))) {
                return p;
            }
        }
        return -1;
    }

    int busyDevices() {
        int n = 0;
        for (BitSet b : busy.values()) {
            if (!b.isEmpty()) {
                n++;
            }
        }
        return n;
    }
}
