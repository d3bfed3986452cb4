package org.labloop.campaign;

/** Where a campaign is in its life. */
public enum CampaignStatus {
    CREATED,
    RUNNING,
    PAUSED,
    COMPLETED,
    ABORTED,
    FAILED;

    public boolean finished() {
        return this == COMPLETED || this == ABORTED || this == FAILED;
    }
}
