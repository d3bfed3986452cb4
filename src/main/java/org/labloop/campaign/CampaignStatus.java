package org.labloop.campaign;

/** Where a campaign is in its life. */
public enum CampaignStatus {
    CREATED,
    RUNNING,
    COMPLETED,
    FAILED;

    public boolean finished() {
        return this == COMPLETED || this == FAILED;
    }
}
