package org.labloop.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.engine.EngineListener;
import org.labloop.event.Event;
import org.labloop.event.EventBody;

/** A one-line progress bar redrawn when an experiment ends; plain lines when the output is not a terminal. */
final class ProgressBar implements EngineListener {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final int budget;
    private final boolean terminal;
    private Instant start;
    private int lastPrintedDone = -1;

    ProgressBar(PrintWriter out, int budget) {
        this.out = out;
        this.budget = budget;
        this.terminal = System.console() != null;
    }

    @Override
    public void committed(Event event, CampaignState state) {
        if (start == null) {
            start = event.at();
        }
        if (!(event.body() instanceof EventBody.ExperimentCompleted
                || event.body() instanceof EventBody.ExperimentFailed)) {
            return;
        }
        int done = (int) (state.count(ExperimentStatus.COMPLETED) + state.count(ExperimentStatus.FAILED));
        int running = state.inFlight().size();
        Duration elapsed = Duration.between(start, event.at());
        String line = String.format(
                "[%s] %d/%d experiments, %d in flight, %s elapsed", bar(done), done, budget, running, human(elapsed));
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else if (done == budget || done / 10 != lastPrintedDone / 10) {
            out.println(line);
        }
        lastPrintedDone = done;
    }

    void finish() {
        if (terminal && lastPrintedDone >= 0) {
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
