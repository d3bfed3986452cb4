package org.labloop.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.event.Event;
import org.labloop.event.EventLog;
import org.labloop.event.EventLogException;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labloop status [ID]}: campaigns in the store and their state, or one campaign in detail. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "List campaigns, or show one in detail.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "A campaign id (see the list).")
    String id;

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Lab lab = new Lab();
        try (EventLog log = Lab.openReadOnly(data.location(), true)) {
            if (id != null) {
                String cid = Lab.pickCampaign(log, id);
                CampaignState state = current(log, Lab.loadVerified(log, cid));
                boolean interrupted = interrupted(state);
                Summary summary = new Summary(lab.specOf(state), state)
                        .typed(RunCommand.launcher(), data.hint())
                        .interrupted(interrupted)
                        .recorded(Lab.recording(log, cid, false));
                summary.print(out);
                summary.printLatestProposals(out);
                if (interrupted) {
                    out.printf(
                            "  not running   no process drives it since its run was interrupted; '%s resume %s%s'"
                                    + " continues it%n",
                            RunCommand.launcher(), cid, data.hint());
                }
                return 0;
            }
            List<String> ids = log.campaignIds();
            if (ids.isEmpty()) {
                out.println("No campaigns in " + log.location());
                return 0;
            }
            String fmt = "%-24s %-11s %9s %6s %9s %7s  %s%n";
            out.printf(fmt, "ID", "STATE", "COMPLETED", "FAILED", "IN FLIGHT", "BUDGET", "ELAPSED");
            List<String> altered = new java.util.ArrayList<>();
            for (String cid : ids) {
                List<Event> events = log.readAll(cid);
                if (events.isEmpty()) {
                    // the id was reserved but the first event never committed (a crash at creation): nothing to show
                    out.printf(fmt, cid, "empty", 0, 0, 0, "-", "(no events)");
                    continue;
                }
                CampaignState folded;
                try {
                    folded = Lab.foldVerified(log, cid, events);
                } catch (StoreException e) {
                    throw e; // the store itself, not this campaign's log
                } catch (EventLogException e) {
                    // Nothing is shown from an altered log, but the other campaigns still are.
                    out.printf(fmt, cid, "ALTERED", "-", "-", "-", "-", "(see below)");
                    altered.add(e.getMessage());
                    continue;
                }
                CampaignState s = current(log, folded);
                org.labloop.campaign.CampaignSpec campaign = lab.specOf(s);
                out.printf(
                        fmt,
                        cid,
                        interrupted(s)
                                ? "interrupted"
                                : s.status() == org.labloop.campaign.CampaignStatus.CREATED
                                                && org.labloop.campaign.Approval.missing(campaign, s) > 0
                                        ? "unsigned"
                                        : s.status().name().toLowerCase(Locale.ROOT),
                        s.count(ExperimentStatus.COMPLETED),
                        s.count(ExperimentStatus.FAILED),
                        s.inFlight().size(),
                        campaign.budget(),
                        elapsed(s));
            }
            if (!altered.isEmpty()) {
                altered.forEach(m -> spec.commandLine().getErr().println("labloop: " + m));
                return EventLogException.EXIT_CODE;
            }
            return 0;
        }
    }

    /**
     * {@code s}, or the campaign as its log stands now when it looked interrupted: a run that ended between reading its
     * log and looking for its lock wrote its last events before letting go of the lock, so reading again finds them.
     */
    private CampaignState current(EventLog log, CampaignState s) {
        if (!interrupted(s)) {
            return s;
        }
        return log.last(s.id()).map(e -> e.seq()).orElse(0L) == s.lastSeq() ? s : Lab.loadVerified(log, s.id());
    }

    /** Started, not finished, not paused, and no process drives it: its run was killed or crashed. */
    private boolean interrupted(CampaignState s) {
        return s.status() == org.labloop.campaign.CampaignStatus.RUNNING && !LabStore.driven(data.location(), s.id());
    }

    /**
     * Engine-clock time from creation to the last event, marked virtual for simulated runs; none before the campaign
     * starts (signatures are not run time).
     */
    static String elapsed(CampaignState s) {
        if (s.status() == org.labloop.campaign.CampaignStatus.CREATED) {
            return "- (not started)";
        }
        java.time.Duration d = java.time.Duration.between(
                java.time.Instant.parse(s.createdAt()), java.time.Instant.parse(s.lastEventAt()));
        return ProgressBar.human(d) + ("virtual".equals(s.timeMode()) ? " (virtual)" : "");
    }
}
