package org.labloop.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What happened, one record per kind of event. Every change to a campaign is one of these, appended to the log and
 * committed before the engine acts on it. Field values are plain JSON types so the log stays readable by any tool.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = EventBody.CampaignCreated.class, name = "CampaignCreated"),
    @JsonSubTypes.Type(value = EventBody.CampaignStarted.class, name = "CampaignStarted"),
    @JsonSubTypes.Type(value = EventBody.ExperimentProposed.class, name = "ExperimentProposed"),
    @JsonSubTypes.Type(value = EventBody.StepStarted.class, name = "StepStarted"),
    @JsonSubTypes.Type(value = EventBody.StepCompleted.class, name = "StepCompleted"),
    @JsonSubTypes.Type(value = EventBody.StepFailed.class, name = "StepFailed"),
    @JsonSubTypes.Type(value = EventBody.MeasurementRecorded.class, name = "MeasurementRecorded"),
    @JsonSubTypes.Type(value = EventBody.ExperimentCompleted.class, name = "ExperimentCompleted"),
    @JsonSubTypes.Type(value = EventBody.ExperimentFailed.class, name = "ExperimentFailed"),
    @JsonSubTypes.Type(value = EventBody.CampaignCompleted.class, name = "CampaignCompleted"),
    @JsonSubTypes.Type(value = EventBody.CampaignPaused.class, name = "CampaignPaused"),
    @JsonSubTypes.Type(value = EventBody.CampaignResumed.class, name = "CampaignResumed"),
    @JsonSubTypes.Type(value = EventBody.CampaignAborted.class, name = "CampaignAborted"),
    @JsonSubTypes.Type(value = EventBody.OperatorRequested.class, name = "OperatorRequested"),
    @JsonSubTypes.Type(value = EventBody.OperatorAcknowledged.class, name = "OperatorAcknowledged"),
    @JsonSubTypes.Type(value = EventBody.CampaignSigned.class, name = "CampaignSigned"),
})
public sealed interface EventBody {

    /** The event's type name as stored in the log. */
    default String typeName() {
        return getClass().getSimpleName();
    }

    /** A source file of the campaign definition, kept whole so the log alone says what was run. */
    record Source(String role, String path, String sha256, String text) {
        public Source {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(text, "text");
        }
    }

    /** The campaign was defined: its name, the text of its files, the seed and the software that ran it. */
    record CampaignCreated(String name, long seed, String softwareVersion, List<Source> sources) implements EventBody {
        public CampaignCreated {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(softwareVersion, "softwareVersion");
            sources = List.copyOf(sources);
        }
    }

    /**
     * The engine started (or resumed) driving the campaign; {@code timeMode} is virtual or wall; {@code sharedWith}
     * names the campaigns it shares its workcell with in this run (absent from the JSON when none, so events written
     * before campaigns could share keep their bytes and hashes).
     */
    record CampaignStarted(
            String timeMode,

            @com.fasterxml.jackson.annotation.JsonInclude(
                    com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
            List<String> sharedWith)
            implements EventBody {
        public CampaignStarted {
            Objects.requireNonNull(timeMode, "timeMode");
            sharedWith = sharedWith == null ? List.of() : List.copyOf(sharedWith);
        }

        public CampaignStarted(String timeMode) {
            this(timeMode, List.of());
        }
    }

    /** The planner proposed an experiment: the point, who proposed it and why. */
    record ExperimentProposed(
            String experimentId,
            int index,
            Map<String, Object> parameters,
            String planner,
            String plannerVersion,
            String rationale,
            Map<String, Double> details)
            implements EventBody {
        public ExperimentProposed {
            Objects.requireNonNull(experimentId, "experimentId");
            parameters = Map.copyOf(parameters);
            Objects.requireNonNull(planner, "planner");
            Objects.requireNonNull(plannerVersion, "plannerVersion");
            Objects.requireNonNull(rationale, "rationale");
            details = Map.copyOf(details);
        }
    }

    /**
     * A step was handed to a device. {@code idempotencyKey} identifies this attempt of this step, so a driver asked
     * twice does the work once; {@code changeoverMillis} is the changeover the device needed first (a new setup),
     * null on a device without changeovers; {@code position} is the device position it runs in, null on a device
     * with one position.
     */
    record StepStarted(
            String experimentId,
            int step,
            String stepName,
            String capability,
            String device,
            Map<String, Object> args,
            long plannedMillis,
            String idempotencyKey,
            // Null (absent from the JSON) on devices without a changeover and in logs written before there were
            // changeovers, so those events keep their bytes and hashes.
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            Long changeoverMillis,
            // The device position (from 1) the step runs in; null (absent) on single-position devices and in logs
            // written before positions were recorded.
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            Integer position)
            implements EventBody {
        /** A start with no changeover before it. */
        public StepStarted(
                String experimentId,
                int step,
                String stepName,
                String capability,
                String device,
                Map<String, Object> args,
                long plannedMillis,
                String idempotencyKey) {
            this(experimentId, step, stepName, capability, device, args, plannedMillis, idempotencyKey, null, null);
        }

        public StepStarted {
            Objects.requireNonNull(experimentId, "experimentId");
            Objects.requireNonNull(stepName, "stepName");
            Objects.requireNonNull(capability, "capability");
            Objects.requireNonNull(device, "device");
            args = Map.copyOf(args);
            Objects.requireNonNull(idempotencyKey, "idempotencyKey");
            if (changeoverMillis != null && changeoverMillis < 0) {
                throw new IllegalArgumentException("step " + stepName + " of " + experimentId
                        + ": changeoverMillis must not be negative, got " + changeoverMillis);
            }
            if (position != null && position < 1) {
                throw new IllegalArgumentException("step " + stepName + " of " + experimentId
                        + ": positions are numbered from 1, got " + position);
            }
        }
    }

    /** A device reported a step done, with whatever it read ({@code outputs}). */
    record StepCompleted(String experimentId, int step, String device, Map<String, Double> outputs)
            implements EventBody {
        public StepCompleted {
            Objects.requireNonNull(experimentId, "experimentId");
            Objects.requireNonNull(device, "device");
            outputs = Map.copyOf(outputs);
        }
    }

    /** A device reported a step failed. */
    record StepFailed(String experimentId, int step, String device, String reason) implements EventBody {
        public StepFailed {
            Objects.requireNonNull(experimentId, "experimentId");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** One measured value of an experiment, with the device and step that produced it and the model behind it. */
    record MeasurementRecorded(
            String experimentId, String name, double value, String unit, String device, int step, String method)
            implements EventBody {
        public MeasurementRecorded {
            Objects.requireNonNull(experimentId, "experimentId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(method, "method");
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("measurement " + name + " of " + experimentId + " is not finite");
            }
        }
    }

    record ExperimentCompleted(String experimentId) implements EventBody {
        public ExperimentCompleted {
            Objects.requireNonNull(experimentId, "experimentId");
        }
    }

    record ExperimentFailed(String experimentId, String reason) implements EventBody {
        public ExperimentFailed {
            Objects.requireNonNull(experimentId, "experimentId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The campaign ended: budget spent, goal met, or nothing left to try. */
    record CampaignCompleted(String reason) implements EventBody {
        public CampaignCompleted {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Someone paused the campaign: nothing new is proposed; with {@code immediate} no new step starts either, otherwise
     * experiments already in the lab finish.
     */
    record CampaignPaused(String reason, boolean immediate) implements EventBody {
        public CampaignPaused {
            Objects.requireNonNull(reason, "reason");
        }
    }

    record CampaignResumed(String reason) implements EventBody {
        public CampaignResumed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Someone stopped the campaign for good: running steps were cancelled and devices sent to a safe state. */
    record CampaignAborted(String reason) implements EventBody {
        public CampaignAborted {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The engine needs a person: a step failed under a {@code then: pause} policy. The campaign pauses until acked. */
    record OperatorRequested(String requestId, String experimentId, int step, String message) implements EventBody {
        public OperatorRequested {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(experimentId, "experimentId");
            Objects.requireNonNull(message, "message");
        }
    }

    /** A person acknowledged an operator request (the actor says who), with what they did about it. */
    record OperatorAcknowledged(String requestId, String note) implements EventBody {
        public OperatorAcknowledged {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(note, "note");
        }
    }

    /**
     * A person signed the campaign's definition before it ran (an electronic signature): who ({@code signer}, with the
     * {@code role} their token had), what the signature means ("approved to run"), when they signed by the wall clock
     * ({@code signedAt}, ISO-8601; the event's own time is the campaign's clock, virtual for simulated runs) and the
     * hash of the campaign's first event ({@code definition}), which holds the text of every file that defines it, so
     * the signature cannot be carried over to another definition.
     */
    record CampaignSigned(String signer, String role, String meaning, String signedAt, String definition)
            implements EventBody {
        public CampaignSigned {
            Objects.requireNonNull(signer, "signer");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(meaning, "meaning");
            Objects.requireNonNull(signedAt, "signedAt");
            Objects.requireNonNull(definition, "definition");
        }
    }
}
