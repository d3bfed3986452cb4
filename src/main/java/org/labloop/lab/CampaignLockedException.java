package org.labloop.lab;

import org.labloop.core.LabLoopException;

/** Another process is running this campaign; only one engine may drive a campaign at a time. */
public class CampaignLockedException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    public CampaignLockedException(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return 5;
    }
}
