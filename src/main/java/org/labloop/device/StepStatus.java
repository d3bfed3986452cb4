package org.labloop.device;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** What a device knows about a step it was asked to run, by idempotency key; asked after an engine restart. */
public sealed interface StepStatus {

    /** The device never received the step: it is safe to start it. */
    record Unknown() implements StepStatus {}

    /** Still running; expected to end at {@code expectedEnd} (engine-clock time). */
    record Running(Instant expectedEnd) implements StepStatus {
        public Running {
            Objects.requireNonNull(expectedEnd, "expectedEnd");
        }
    }

    /** Finished at {@code endedAt} (engine-clock time) with these outputs. */
    record Completed(Instant endedAt, Map<String, Double> outputs) implements StepStatus {
        public Completed {
            Objects.requireNonNull(endedAt, "endedAt");
            outputs = Map.copyOf(outputs);
        }
    }

    record Failed(Instant endedAt, String reason) implements StepStatus {
        public Failed {
            Objects.requireNonNull(endedAt, "endedAt");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
