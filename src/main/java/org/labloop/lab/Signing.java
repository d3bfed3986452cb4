package org.labloop.lab;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.labloop.campaign.CampaignState;
import org.labloop.core.AuditText;
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
     * Records {@code signer}'s signature (with the {@code role} of the token they proved themselves with and what it
     * means) on campaign {@code id}, whose file asks for {@code needed} signatures; the time of signing is read from
     * {@code clock} once the campaign's lock is held. Returns the event that records it.
     */
    public static Event sign(
            LabStore store, String id, int needed, String signer, String role, String meaning, Clock clock) {
        if (!"operator".equals(role) && !"admin".equals(role)) {
            throw new Refused(
                    Refused.Why.ROLE,
                    "'" + signer + "' has role " + role + ", which may only read; signing a campaign needs an operator"
                            + " or admin token");
        }
        String what = meaning == null ? "" : meaning.strip();
        if (!oneLine(what)) {
            throw new Refused(
                    Refused.Why.MEANING,
                    "the meaning of a signature is one line of 1 to " + MAX_MEANING + " characters, such as '"
                            + DEFAULT_MEANING + "' or 'reviewed as QA', without control or text-direction characters");
        }
        refuseIfTooLate(Lab.load(store.log(), id), needed, signer);
        LabStore.EngineLock lock = lock(store, id);
        try {
            // Read again under the lock: another signature or a start may have landed since.
            CampaignState state = Lab.load(store.log(), id);
            refuseIfTooLate(state, needed, signer);
            Instant signedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            return store.log()
                    .append(
                            id,
                            Instant.parse(state.lastEventAt()),
                            "user:" + signer,
                            new EventBody.CampaignSigned(
                                    signer, role, what, EventCodec.text(signedAt), state.firstHash()));
        } finally {
            lock.close();
        }
    }

    /**
     * The campaign's lock, waiting a few seconds for it: others signing at the same moment hold it only to write their
     * signature.
     */
    private static LabStore.EngineLock lock(LabStore store, String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return store.lock(id);
            } catch (CampaignLockedException e) {
                if (System.nanoTime() > deadline) {
                    throw new CampaignLockedException("campaign " + id + " stayed busy for 5 s (a run of it, or other"
                            + " signatures being written); nothing was signed: try again");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CampaignLockedException("interrupted while waiting to sign campaign " + id);
                }
            }
        }
    }

    /** One line of 1 to {@link #MAX_MEANING} characters of plain text (see {@link AuditText}). */
    static boolean oneLine(String text) {
        return AuditText.oneLine(text, MAX_MEANING);
    }

    private static void refuseIfTooLate(CampaignState state, int needed, String signer) {
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
        if (state.signatures().size() >= needed) {
            throw new Refused(
                    Refused.Why.NOT_NEEDED,
                    needed == 0
                            ? "campaign " + state.id() + " needs no signature (its file has no 'approval'); start it"
                            : "campaign " + state.id() + " has all " + needed + " signature" + (needed == 1 ? "" : "s")
                                    + " its file asks for; start it");
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
            ALREADY_SIGNED,
            /** The campaign has every signature its file asks for, or asks for none. */
            NOT_NEEDED
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
