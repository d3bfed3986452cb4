package org.labloop.campaign;

/** Where an experiment is: proposed, in the lab, done with measurements, or failed. */
public enum ExperimentStatus {
    PROPOSED,
    RUNNING,
    COMPLETED,
    FAILED;

    public boolean finished() {
        return this == COMPLETED || this == FAILED;
    }
}
