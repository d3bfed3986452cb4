package org.labloop.campaign;

import java.util.stream.Collectors;
import org.labloop.core.LabLoopException;

/**
 * Approval of a campaign before it runs: its file asks for {@code approval: {signatures: N}}, and N distinct people,
 * each with an operator or admin token, sign its definition (a {@code CampaignSigned} event each). Until then nothing
 * starts it, whichever way it is started.
 */
public final class Approval {
    private Approval() {}

    /** Signatures the campaign still needs before it may start. */
    public static int missing(CampaignSpec spec, CampaignState state) {
        return Math.max(0, spec.signaturesNeeded() - state.signatures().size());
    }

    /** Refuses to go on while the campaign still needs signatures. */
    public static void require(CampaignSpec spec, CampaignState state) {
        if (missing(spec, state) > 0) {
            throw new NotApprovedException(spec, state);
        }
    }

    /** A campaign was to start before the people its file names as approvers had signed it. */
    public static final class NotApprovedException extends LabLoopException {
        private static final long serialVersionUID = 1L;

        /** Exit code of a command that stopped because the campaign awaits signatures: nothing ran. */
        public static final int EXIT_CODE = 8;

        private final String campaignId;

        NotApprovedException(CampaignSpec spec, CampaignState state) {
            super(message(spec, state));
            this.campaignId = state.id();
        }

        public String campaignId() {
            return campaignId;
        }

        @Override
        public int exitCode() {
            return EXIT_CODE;
        }

        private static String message(CampaignSpec spec, CampaignState state) {
            int needed = spec.signaturesNeeded();
            int have = state.signatures().size();
            String who = have == 0
                    ? "none yet"
                    : have + " ("
                            + state.signatures().stream()
                                    .map(CampaignState.Signature::signer)
                                    .collect(Collectors.joining(", "))
                            + ")";
            return "campaign " + state.id() + " needs " + needed + " signature" + (needed == 1 ? "" : "s")
                    + " before it runs and has " + who + "; nothing was started. A person with an operator or admin"
                    + " token who has not signed it yet signs it with: labloop sign " + state.id()
                    + " (or POST /api/v1/campaigns/" + state.id() + "/sign); then start it: labloop resume "
                    + state.id() + " (or POST /api/v1/campaigns/" + state.id() + "/start)";
        }
    }
}
