package org.labloop.campaign;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The projection of one experiment: its point, who proposed it, its steps and measurements. */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ExperimentState {
    private String id;
    private int index;
    private Map<String, Object> parameters = new LinkedHashMap<>();
    private String planner;
    private String plannerVersion;
    private String rationale;
    private Map<String, Double> details = new LinkedHashMap<>();
    private ExperimentStatus status = ExperimentStatus.PROPOSED;
    private String proposedAt;
    private String endedAt;
    private String failure;
    private List<StepRecord> steps = new ArrayList<>();
    private Map<String, Measurement> measurements = new LinkedHashMap<>();
    private long readySince;
    /** This experiment as snapshot JSON once it finished, until it changes again; see CampaignState#toJson. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    String snapshotJson;

    ExperimentState() {}

    ExperimentState(
            String id,
            int index,
            Map<String, Object> parameters,
            String planner,
            String plannerVersion,
            String rationale,
            Map<String, Double> details,
            String proposedAt,
            long seq) {
        this.id = id;
        this.readySince = seq;
        this.index = index;
        this.parameters = new LinkedHashMap<>(parameters);
        this.planner = planner;
        this.plannerVersion = plannerVersion;
        this.rationale = rationale;
        this.details = new LinkedHashMap<>(details);
        this.proposedAt = proposedAt;
    }

    public String id() {
        return id;
    }

    public int index() {
        return index;
    }

    public Map<String, Object> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public String planner() {
        return planner;
    }

    public String plannerVersion() {
        return plannerVersion;
    }

    public String rationale() {
        return rationale;
    }

    public Map<String, Double> details() {
        return Collections.unmodifiableMap(details);
    }

    public ExperimentStatus status() {
        return status;
    }

    public String proposedAt() {
        return proposedAt;
    }

    public String endedAt() {
        return endedAt;
    }

    public String failure() {
        return failure;
    }

    public List<StepRecord> steps() {
        return Collections.unmodifiableList(steps);
    }

    public Map<String, Measurement> measurements() {
        return Collections.unmodifiableMap(measurements);
    }

    /** Seq of the event after which the experiment last waited for its next step: the order of the queue. */
    public long readySince() {
        return readySince;
    }

    /** Number of steps that completed. */
    public int stepsDone() {
        int n = 0; // a loop, not a stream: the engine asks for every step it places
        for (StepRecord s : steps) {
            if ("completed".equals(s.status())) {
                n++;
            }
        }
        return n;
    }

    /** True while a step has started and not ended. */
    public boolean stepRunning() {
        return !steps.isEmpty() && steps.get(steps.size() - 1).endedAt() == null;
    }

    void stepStarted(StepRecord record) {
        snapshotJson = null;
        steps.add(record);
        status = ExperimentStatus.RUNNING;
    }

    void stepEnded(int step, long seq, java.util.function.UnaryOperator<StepRecord> change) {
        snapshotJson = null;
        readySince = seq;
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).step() == step && steps.get(i).endedAt() == null) {
                steps.set(i, change.apply(steps.get(i)));
                return;
            }
        }
        throw new IllegalStateException("experiment " + id + " has no running step " + step);
    }

    void measured(Measurement m) {
        snapshotJson = null;
        measurements.put(m.name(), m);
    }

    void completed(String at) {
        snapshotJson = null;
        status = ExperimentStatus.COMPLETED;
        endedAt = at;
    }

    void failed(String at, String reason) {
        snapshotJson = null;
        status = ExperimentStatus.FAILED;
        endedAt = at;
        failure = reason;
    }
}
