package org.labloop.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.core.AuditText;
import org.labloop.core.InvalidInputException;
import org.labloop.event.EventBody;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.store.ControlInbox;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Operator commands on a campaign: {@code pause}, {@code abort} and {@code ack}. When another process runs the
 * campaign, the request goes through the store's control inbox and that engine records it; otherwise it is recorded
 * here, under the campaign's lock. Either way it becomes an event naming who asked and why.
 */
final class ControlCommands {
    private ControlCommands() {}

    private static final String DEFAULT_PAUSE = "paused from the command line";
    private static final String DEFAULT_NOTE = "acknowledged";

    /**
     * A reason or note for the audit trail, as the server takes it: stripped, {@code dflt} when blank (refused when
     * there is no default), and one line of plain text.
     */
    static String auditText(String option, String text, String dflt) {
        String kept = text == null ? "" : text.strip();
        if (kept.isEmpty()) {
            if (dflt == null) {
                throw InvalidInputException.of(option, "is empty", "say why, e.g. " + option + " 'column leak'");
            }
            return dflt;
        }
        String problem = AuditText.problem(kept, AuditText.MAX_LINE);
        if (problem != null) {
            throw InvalidInputException.of(
                    option,
                    "the text " + problem,
                    "write it on one line of at most " + AuditText.MAX_LINE + " visible characters: it goes into the"
                            + " audit trail as written");
        }
        return kept;
    }

    /** Shared: the campaign, the store, and whether an engine is driving it right now. */
    abstract static class Base implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The campaign id (see labloop status).")
        String id;

        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            checkText();
            Lab.openExisting(data.location()).close();
            try (LabStore store = LabStore.open(data.location())) {
                String cid = Lab.pickCampaign(store.log(), id);
                CampaignState state = Lab.load(store.log(), cid);
                if (state.status().finished()) {
                    throw InvalidInputException.of(
                            "campaign " + cid,
                            "it is already " + state.status().name().toLowerCase(java.util.Locale.ROOT),
                            "only an unfinished campaign can be paused, aborted or acknowledged");
                }
                PrintWriter out = spec.commandLine().getOut();
                String done = alreadyDone(cid, state);
                if (done != null) {
                    out.println(done);
                    return 0;
                }
                if (store.running(cid)) {
                    try (ControlInbox inbox = ControlInbox.open(store.location())) {
                        send(inbox, cid, state);
                    }
                    out.printf(
                            "Sent to the engine running campaign %s; it records the request within a second.%n", cid);
                } else {
                    here(store, cid, state, out);
                }
                return 0;
            }
        }

        abstract void send(ControlInbox inbox, String cid, CampaignState state);

        /** Checks the text that goes into the audit trail, keeping it as it will be recorded. */
        abstract void checkText();

        /** What to say when the request would change nothing (nothing is then sent or recorded); null otherwise. */
        String alreadyDone(String cid, CampaignState state) {
            return null;
        }

        /** With no engine running, records the request directly, holding the campaign's lock meanwhile. */
        static void recordHere(LabStore store, String cid, CampaignState state, EventBody body) {
            LabStore.EngineLock lock = store.lock(cid);
            try {
                store.log().append(cid, java.time.Instant.parse(state.lastEventAt()), RunCommand.actor(), body);
            } finally {
                lock.close();
            }
        }

        abstract void here(LabStore store, String cid, CampaignState state, PrintWriter out);
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Pause a campaign: nothing new is proposed; experiments in the lab finish (--now: no new"
                    + " step starts either).")
    static final class Pause extends Base {
        @Option(names = "--now", description = "Immediate pause: running steps finish, no new step starts.")
        boolean now;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the audit trail).")
        String reason = DEFAULT_PAUSE;

        @Override
        void checkText() {
            reason = auditText("--reason", reason, DEFAULT_PAUSE);
        }

        @Override
        void send(ControlInbox inbox, String cid, CampaignState state) {
            inbox.submit(cid, "pause", RunCommand.actor(), reason, now);
        }

        @Override
        String alreadyDone(String cid, CampaignState state) {
            // A pause --now still tightens a plain pause: steps stop starting.
            return state.status() == CampaignStatus.PAUSED && (!now || state.pausedImmediately())
                    ? "Campaign " + cid + " is already paused (by " + state.pausedBy() + "); nothing sent. Continue it"
                            + " with: " + RunCommand.launcher() + " resume " + cid + data.hint()
                    : null;
        }

        @Override
        void here(LabStore store, String cid, CampaignState state, PrintWriter out) {
            recordHere(store, cid, state, new EventBody.CampaignPaused(reason, now));
            out.printf(
                    "Campaign %s paused. Continue it with: %s resume %s%s%n",
                    cid, RunCommand.launcher(), cid, data.hint());
        }
    }

    @Command(
            name = "abort",
            mixinStandardHelpOptions = true,
            description = "Stop a campaign for good: running steps are cancelled, devices sent to a safe state,"
                    + " experiments in flight fail with the reason.")
    static final class Abort extends Base {
        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (required).")
        String reason;

        @Override
        void checkText() {
            reason = auditText("--reason", reason, null);
        }

        @Override
        void send(ControlInbox inbox, String cid, CampaignState state) {
            inbox.submit(cid, "abort", RunCommand.actor(), reason, false);
        }

        @Override
        void here(LabStore store, String cid, CampaignState state, PrintWriter out) {
            if (state.startedAt() == null) {
                // Never started (one waiting for signatures, say): nothing is in the lab, so nothing to cancel.
                recordHere(store, cid, state, new EventBody.CampaignAborted(reason));
                out.printf("Campaign %s aborted before it started: %s%n", cid, reason);
                return;
            }
            CampaignRunner runner = new CampaignRunner(new Lab());
            CampaignState end = runner.run(
                    runner.prepareStored(state),
                    store,
                    cid,
                    org.labloop.engine.EngineListener.NONE,
                    RunCommand.actor(),
                    engine -> engine.abort(RunCommand.actor(), reason));
            out.printf("Campaign %s aborted: %s%n", cid, end.endReason());
        }
    }

    @Command(
            name = "ack",
            mixinStandardHelpOptions = true,
            description = "Acknowledge an operator request: the failed step is tried again (or, if it cannot be"
                    + " re-run, its experiment fails) and a pause made for the request is lifted.")
    static final class Ack extends Base {
        @Parameters(index = "1", paramLabel = "REQUEST", description = "The request id (labloop status ID lists them).")
        String request;

        @Option(names = "--note", paramLabel = "TEXT", description = "What you did about it (recorded).")
        String note = DEFAULT_NOTE;

        @Override
        void checkText() {
            note = auditText("--note", note, DEFAULT_NOTE);
        }

        @Override
        void send(ControlInbox inbox, String cid, CampaignState state) {
            check(state);
            inbox.submit(cid, "ack:" + request, RunCommand.actor(), note, false);
        }

        @Override
        void here(LabStore store, String cid, CampaignState state, PrintWriter out) {
            check(state);
            recordHere(store, cid, state, new EventBody.OperatorAcknowledged(request, note));
            out.printf(
                    "Request %s acknowledged. Continue the campaign with: %s resume %s%s%n",
                    request, RunCommand.launcher(), cid, data.hint());
        }

        private void check(CampaignState state) {
            if (!state.openRequests().containsKey(request)) {
                throw InvalidInputException.of(
                        "campaign " + state.id(),
                        "no open operator request '" + request + "'",
                        state.openRequests().isEmpty()
                                ? "the campaign has no open request"
                                : "open requests: "
                                        + String.join(", ", state.openRequests().keySet()));
            }
        }
    }
}
