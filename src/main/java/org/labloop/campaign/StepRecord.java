package org.labloop.campaign;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One step of one experiment as it happened: the device (and its position, null on a single-position device or when
 * the log did not record it), when it started and ended (engine-clock ISO instants; end is null while running), the
 * changeover its device spent first (null on a device without changeovers), its status and its outputs.
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
        Map<String, Double> outputs,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer position,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long changeoverMillis) {

    public StepRecord {
        outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    }

    StepRecord completed(String at, Map<String, Double> out) {
        return ended(at, "completed", null, out);
    }

    StepRecord failed(String at, String reason) {
        return ended(at, "failed", reason, outputs);
    }

    private StepRecord ended(String at, String newStatus, String reason, Map<String, Double> out) {
        return new StepRecord(
                step,
                name,
                capability,
                device,
                idempotencyKey,
                startedAt,
                at,
                newStatus,
                reason,
                out,
                position,
                changeoverMillis);
    }
}
