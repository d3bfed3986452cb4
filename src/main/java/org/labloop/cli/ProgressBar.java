package org.labloop.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.engine.EngineListener;
import org.labloop.event.Event;
import org.labloop.event.EventBody;

/**
 * A one-line progress bar redrawn when an experiment ends (plain lines when the output is not a terminal, none with
 * {@code bar} false), and a line whenever the campaign pauses, resumes or asks a person for something: a run that
 * waits for an operator says so instead of looking stuck.
 */
final class ProgressBar implements EngineListener {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final int budget;
    private final boolean bar;
    private final boolean terminal;
    private Instant start;
    private int lastPrintedDone = -1;
    /** Experiments done on the last line printed without a terminal (each line its own). */
    private int lineDone = -1;

    private boolean midLine;

    private final String resume;
    private final String resumeStore;

    ProgressBar(PrintWriter out, int budget, boolean bar) {
        this(out, budget, bar, RunCommand.launcher() + " resume", "");
    }

    /** How to resume a campaign of this store: {@code resume ID resumeStore}. */
    ProgressBar(PrintWriter out, int budget, boolean bar, String resume, String resumeStore) {
        this.out = out;
        this.budget = budget;
        this.bar = bar;
        this.terminal = System.console() != null;
        this.resume = resume;
        this.resumeStore = resumeStore;
    }

    /** The request's message, its "labloop ack" command as it is typed here: the launcher's path and the store. */
    private String ackHint(EventBody.OperatorRequested r, CampaignState state) {
        return typedAck(
                r.message(),
                state.id(),
                r.requestId(),
                resume.substring(0, resume.length() - " resume".length()),
                resumeStore);
    }

    /**
     * An operator request's {@code message} with the plain "labloop ack" command it names replaced by the one typed
     * here: this {@code launcher}, this {@code store} option.
     */
    static String typedAck(String message, String campaign, String request, String launcher, String store) {
        String ack = "ack " + campaign + " " + request + " --note '...'";
        return message.replace("labloop " + ack, launcher + " " + ack + store);
    }

    @Override
    public void committed(Event event, CampaignState state) {
        if (start == null) {
            // From the campaign's creation, as status counts it: a resumed run goes on from where the campaign was.
            start = state.createdAt() == null ? event.at() : Instant.parse(state.createdAt());
        }
        switch (event.body()) {
            case EventBody.OperatorRequested r ->
                notice("OPERATOR REQUEST " + r.requestId() + ": " + ackHint(r, state));
            case EventBody.CampaignPaused p ->
                notice("Paused by " + event.actor() + " (" + p.reason() + ")"
                        + ("engine".equals(event.actor())
                                ? ""
                                : "; continue it with: " + resume + " " + state.id() + resumeStore
                                        + " (from another terminal)"));
            case EventBody.CampaignResumed r -> notice("Resumed by " + event.actor() + " (" + r.reason() + ")");
            default -> {}
        }
        if (!bar) {
            return;
        }
        // The end too: a campaign that meets its goal ends before its budget, and its last line says where.
        boolean ended = event.body() instanceof EventBody.CampaignCompleted;
        if (!(event.body() instanceof EventBody.ExperimentCompleted
                || event.body() instanceof EventBody.ExperimentFailed
                || ended)) {
            return;
        }
        int done = (int) (state.count(ExperimentStatus.COMPLETED) + state.count(ExperimentStatus.FAILED));
        int running = state.inFlight().size();
        if (ended && !terminal && done == lineDone) {
            return; // its line is already out
        }
        Duration elapsed = Duration.between(start, event.at());
        String line = String.format(
                "[%s] %d/%d experiments, %d in flight, %s elapsed", bar(done), done, budget, running, human(elapsed));
        if (terminal) {
            out.print("\r" + line);
            out.flush();
            midLine = true;
        } else if (ended || done == budget || done / 10 != lastPrintedDone / 10) {
            out.println(line);
            lineDone = done;
        }
        lastPrintedDone = done;
    }

    /** A line of its own, below the bar. */
    private void notice(String text) {
        if (midLine) {
            out.println();
            midLine = false;
        }
        out.println(text);
        out.flush();
    }

    void finish() {
        if (midLine) {
            out.println();
        }
    }

    private String bar(int done) {
        int filled = budget == 0 ? WIDTH : (int) Math.round(WIDTH * (double) done / budget);
        return "#".repeat(Math.min(WIDTH, filled)) + ".".repeat(Math.max(0, WIDTH - filled));
    }

    static String human(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 60) {
            return String.format("%.1f min", d.toMillis() / 60_000.0);
        }
        long h = minutes / 60;
        return h < 48 ? String.format("%dh %02dm", h, minutes % 60) : String.format("%dd %02dh", h / 24, h % 24);
    }
}
