package org.labloop.device;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A simulated device's own memory of the steps it was given, kept apart from LabLoop's event log the way a real
 * instrument keeps its own run list. It survives an engine crash, so the engine can ask the device what became of a
 * step it had started.
 */
public interface DeviceMemory {

    Optional<Entry> get(String device, String idempotencyKey);

    /** Stores durably before returning. */
    void put(String device, String idempotencyKey, Entry entry);

    /** A step as the device remembers it: when it started, when it is due, and how it ended once it has. */
    record Entry(Instant startedAt, Instant due, String state, Map<String, Double> outputs, String failure) {
        public static final String RUNNING = "running";
        public static final String COMPLETED = "completed";
        public static final String FAILED = "failed";

        public Entry {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(due, "due");
            Objects.requireNonNull(state, "state");
            outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
        }
    }

    /** Memory that lasts as long as the process: for tests and throwaway runs. */
    static DeviceMemory inProcess() {
        Map<String, Entry> entries = new ConcurrentHashMap<>();
        return new DeviceMemory() {
            @Override
            public Optional<Entry> get(String device, String key) {
                return Optional.ofNullable(entries.get(device + "\u0000" + key));
            }

            @Override
            public void put(String device, String key, Entry entry) {
                entries.put(device + "\u0000" + key, entry);
            }
        };
    }
}
