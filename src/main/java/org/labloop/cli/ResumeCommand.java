package org.labloop.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.core.InvalidInputException;
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
 * {@code labloop resume [ID]}: continues a campaign that stopped before its end (a crash, a kill, a pause): state is
 * rebuilt from the log, steps in flight are reconciled with the devices, and a pause is lifted.
 */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = "Continue an unfinished campaign after a crash, a kill or a pause.")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ID",
            description = "Campaign id; may be left out when one campaign is unfinished, or when the unfinished ones"
                    + " shared their workcell.")
    String id;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, recorded when a pause is lifted.")
    String reason = DEFAULT_REASON;

    private static final String DEFAULT_REASON = "resumed from the command line";

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(
            names = "--pace",
            paramLabel = "X",
            description = "Simulated campaigns only: virtual seconds per real second (default max, as fast as"
                    + " possible), as for labloop run.")
    String pace = "max";

    @Option(
            names = "--alone",
            description = "Start a campaign that was created but never started even though others on its workcell"
                    + " were too (they may have been meant to share it).")
    boolean alone;

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        reason = ControlCommands.auditText("--reason", reason, DEFAULT_REASON);
        Lab.openExisting(data.location()).close();
        Lab lab = new Lab();
        CampaignRunner runner = new CampaignRunner(lab);
        try (LabStore store = LabStore.open(data.location())) {
            String cid = id != null ? Lab.pickCampaign(store.log(), id) : onlyUnfinished(store);
            if (cid == null) {
                // As for a named campaign that has ended: nothing to do is not a failure.
                out.printf(
                        "No unfinished campaign in %s; nothing to resume.%n",
                        store.log().location());
                return 0;
            }
            CampaignState state = Lab.load(store.log(), cid);
            if (state.status().finished()) {
                out.printf(
                        "Campaign %s is already %s; nothing to resume.%n",
                        cid, state.status().name().toLowerCase(java.util.Locale.ROOT));
                return 0;
            }
            boolean waits = org.labloop.engine.Engine.waitsForAnswer(state);
            if (waits && store.running(cid)) {
                throw InvalidInputException.of(
                        "campaign " + cid,
                        "it is paused for operator request "
                                + String.join(", ", state.openRequests().keySet()) + ", which resume does not answer",
                        "check what the request says (" + RunCommand.launcher() + " status " + cid
                                + RunCommand.dataHint(store)
                                + "), then: " + RunCommand.launcher() + " ack " + cid + " "
                                + state.openRequests().keySet().iterator().next() + " --note '...'"
                                + RunCommand.dataHint(store));
            }
            if (store.running(cid)) {
                try (ControlInbox inbox = ControlInbox.open(store.location())) {
                    inbox.submit(cid, "resume", RunCommand.actor(), reason, false);
                }
                if (state.status() == org.labloop.campaign.CampaignStatus.PAUSED) {
                    out.printf("Sent resume to the engine running campaign %s.%n", cid);
                } else {
                    out.printf(
                            "Campaign %s is running, not paused: nothing to resume (the request was passed on in case"
                                    + " a pause is on its way).%n",
                            cid);
                }
                return 0;
            }
            List<String> partners = RunCommand.unfinishedPartners(store, state).stream()
                    .filter(p -> !store.running(p))
                    .toList();
            if (!partners.isEmpty()) {
                return RunCommand.resumeShared(runner, store, cid, partners, out, reason);
            }
            if (state.startedAt() == null && !alone) {
                requireNoUnstartedTwins(lab, store, state);
            }
            CampaignRunner.Prepared prepared = runner.prepareStored(state);
            if (RunCommand.awaitingApproval(List.of(prepared), store, List.of(cid), out)) {
                return org.labloop.campaign.Approval.NotApprovedException.EXIT_CODE;
            }
            out.printf("Resuming campaign %s from event %d.%n", cid, state.lastSeq());
            if (waits) {
                // The process comes back, the pause stays: the run waits for the answer as it did before it stopped.
                for (CampaignState.OperatorRequest r : state.openRequests().values()) {
                    out.printf("It still waits for OPERATOR REQUEST %s: %s%n", r.id(), r.message());
                }
                out.println("Answer from another terminal with labloop ack; the campaign goes on once no request is"
                        + " open.");
            }
            return RunCommand.drive(
                    runner, prepared, store, cid, !noProgress, out, reason, ServeCommand.parsePace(pace), () -> {});
        }
    }

    /**
     * A run of several campaign files creates them all before it starts them and records them as partners only then;
     * one killed in between leaves them created and unlinked. Starting one of them alone would run it on a workcell
     * the others were meant to share, so it is refused while other never-started campaigns name the same workcell.
     */
    private static void requireNoUnstartedTwins(Lab lab, LabStore store, CampaignState state) {
        String workcell = lab.specOf(state).workcell().name();
        List<String> twins = store.log().campaignIds().stream()
                .filter(c -> !c.equals(state.id()))
                .map(c -> Lab.load(store.log(), c))
                .filter(s -> !s.status().finished() && s.startedAt() == null)
                .filter(s -> workcell.equals(workcellOf(lab, s)))
                .map(CampaignState::id)
                .toList();
        if (!twins.isEmpty()) {
            throw InvalidInputException.of(
                    state.id(),
                    "was created but never started, as " + (twins.size() == 1 ? "was " : "were ")
                            + String.join(", ", twins) + " on the same workcell '" + workcell + "'",
                    "if they are to share it, run their campaign files together (labloop run A.yaml B.yaml, then"
                            + " labloop abort the campaigns left behind); to start this one by itself, labloop resume "
                            + state.id() + " --alone" + RunCommand.dataHint(store));
        }
    }

    /** The workcell a stored campaign names, or null when its stored files no longer read (it cannot run anyway). */
    private static String workcellOf(Lab lab, CampaignState s) {
        try {
            return lab.specOf(s).workcell().name();
        } catch (org.labloop.core.LabLoopException e) {
            return null;
        }
    }

    /** A campaign of {@code open} that recorded every other one as its partner on the workcell, if any. */
    private static java.util.Optional<String> leader(LabStore store, List<String> open) {
        for (String c : open) {
            List<String> partners = RunCommand.unfinishedPartners(store, Lab.load(store.log(), c));
            if (open.stream().allMatch(o -> o.equals(c) || partners.contains(o))) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /** The one campaign to resume when none is named, or null when none is unfinished. */
    private static String onlyUnfinished(LabStore store) {
        List<String> open = store.log().campaignIds().stream()
                .filter(c -> !Lab.load(store.log(), c).status().finished())
                .toList();
        if (open.isEmpty()) {
            return null;
        }
        if (open.size() == 1) {
            return open.get(0);
        }
        // Campaigns that ran together on one workcell are one thing to resume: the first brings in the rest. A pause
        // an operator put on one of them is not lifted by a resume that did not name it.
        java.util.Optional<String> leader = open.size() > 1 ? leader(store, open) : java.util.Optional.empty();
        if (leader.isPresent()) {
            List<String> paused = open.stream()
                    .filter(c -> RunCommand.pausedByOperator(Lab.load(store.log(), c)))
                    .toList();
            if (paused.isEmpty()) {
                return leader.get();
            }
            throw InvalidInputException.of(
                    store.log().location(),
                    "campaigns " + String.join(", ", open) + " shared a workcell and " + String.join(", ", paused)
                            + (paused.size() == 1 ? " was" : " were") + " paused by an operator",
                    "name the campaign to resume, for example: " + RunCommand.launcher() + " resume " + paused.get(0)
                            + RunCommand.dataHint(store) + " (its partners resume with it; a pause on them stays)");
        }
        throw InvalidInputException.of(
                store.log().location(),
                open.size() + " unfinished campaigns",
                "name one: " + String.join(", ", open)
                        + ", or run their campaign files again (labloop run A.yaml B.yaml) to resume them together");
    }
}
