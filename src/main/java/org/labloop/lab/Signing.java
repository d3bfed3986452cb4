package org.labloop.lab;

import java.time.Instant;
import java.util.Locale;
import org.labloop.campaign.CampaignState;
import org.labloop.core.LabLoopException;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;

/**
 * Electronic signatures on a campaign's definition before it runs (docs/campaign-file.md, {@code approval}). Whoever
 * asks has already proven who they are (the CLI and the API both check a token): this records the signature as an
 * event under the campaign's lock, once per person, before the campaign first starts.
 */
public final class Signing {
    /** What a signature means when the signer gives nothing else. */
    public static final String DEFAULT_MEANING = "approved to run";

    /** The longest meaning kept. */
    public static final int MAX_MEANING = 200;

    private Signing() {}

    /**
     * Records {@code signer}'s signature (with the {@code role} of the token they proved themselves with, what it
     * means, and the wall-clock instant of signing) on campaign {@code id}; returns the event that records it.
     */
    public static Event sign(LabStore store, String id, String signer, String role, String meaning, Instant signedAt) {
        if (!"operator".equals(role) && !"admin".equals(role)) {
            throw new Refused(
                    Refused.Why.ROLE,
                    "'" + signer + "' has role " + role + ", which may only read; signing a campaign needs an operator"
                            + " or admin token");
        }
        String what = meaning == null ? "" : meaning.strip();
        if (what.isEmpty() || what.length() > MAX_MEANING || what.chars().anyMatch(Character::isISOControl)) {
            throw new Refused(
                    Refused.Why.MEANING,
                    "the meaning of a signature is one line of 1 to " + MAX_MEANING + " characters, such as '"
                            + DEFAULT_MEANING + "' or 'reviewed as QA'");
        }
        refuseIfTooLate(Lab.load(store.log(), id), signer);
        LabStore.EngineLock lock = store.lock(id);
        try {
            // Read again under the lock: another signature or a start may have landed since.
            CampaignState state = Lab.load(store.log(), id);
            refuseIfTooLate(state, signer);
            return store.log()
                    .append(
                            id,
                            Instant.parse(state.lastEventAt()),
                            "user:" + signer,
                            new EventBody.CampaignSigned(
                                    signer,
                                    role,
                                    what,
                                    EventCodec.text(signedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                                    state.firstHash()));
        } finally {
            lock.close();
        }
    }

    private static void refuseIfTooLate(CampaignState state, String signer) {
        if (state.status().finished()) {
            throw new Refused(
                    Refused.Why.TOO_LATE,
                    "campaign " + state.id() + " is already "
                            + state.status().name().toLowerCase(Locale.ROOT)
                            + "; a signature approves a campaign before it runs");
        }
        if (state.startedAt() != null) {
            throw new Refused(
                    Refused.Why.TOO_LATE,
                    "campaign " + state.id() + " started at " + state.startedAt()
                            + "; a signature approves a campaign before it runs, so it can no longer be signed");
        }
        if (state.signedBy(signer)) {
            throw new Refused(
                    Refused.Why.ALREADY_SIGNED,
                    "'" + signer + "' has already signed campaign " + state.id() + "; each person signs once, so a"
                            + " further signature must come from someone else");
        }
    }

    /** A signature that is not recorded, and why. Nothing was written. */
    public static final class Refused extends LabLoopException {
        private static final long serialVersionUID = 1L;

        /** Why a signature was refused. */
        public enum Why {
            /** The token's role may only read. */
            ROLE,
            /** The meaning is empty, too long or more than one line. */
            MEANING,
            /** The campaign has started or finished. */
            TOO_LATE,
            /** This person has signed already. */
            ALREADY_SIGNED
        }

        private final Why why;

        Refused(Why why, String message) {
            super(message);
            this.why = why;
        }

        public Why why() {
            return why;
        }

        @Override
        public int exitCode() {
            return 2;
        }
    }
}
