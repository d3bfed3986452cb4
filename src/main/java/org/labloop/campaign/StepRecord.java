package org.labloop.campaign;

import java.util.Map;

/**
 * One step of one experiment as it happened: the device, when it started and ended (engine-clock ISO instants; end is
 * null while running), its status and its outputs.
 */
public record StepRecord(
        int step,
        String name,
        String capability,
        String device,
        String idempotencyKey,
        String startedAt,
        String endedAt,
        String status,
        String failure,
        Map<String, Double> outputs) {

    public StepRecord {
        outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    }

    StepRecord completed(String at, Map<String, Double> out) {
        return new StepRecord(step, name, capability, device, idempotencyKey, startedAt, at, "completed", null, out);
    }

    StepRecord failed(String at, String reason) {
        return new StepRecord(step, name, capability, device, idempotencyKey, startedAt, at, "failed", reason, outputs);
    }
}
