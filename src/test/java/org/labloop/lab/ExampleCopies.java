package org.labloop.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Copies of the shipped example campaigns, edited for a test, written into a folder of the test's own. */
public final class ExampleCopies {
    private ExampleCopies() {}

    /**
     * examples/snar in {@code dir} with this budget and the Sobol planner (fast, and independent of the planner's
     * tuning); returns the campaign file.
     */
    public static Path snar(Path dir, int budget) {
        return copy(
                "snar",
                dir,
                campaign -> campaign.replace("budget: 40", "budget: " + budget)
                        .replace(
                                "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}",
                                "planner: {type: sobol}"));
    }

    /**
     * examples/snar-faults in {@code dir} with a reactor that fails every reaction, this budget, and pausing after
     * {@code pauseAfterFailures} failures in a row; returns the campaign file.
     */
    public static Path brokenReactor(Path dir, int budget, int pauseAfterFailures) {
        Path campaign = copy(
                "snar-faults",
                dir,
                c -> c.replace("budget: 40", "budget: " + budget) + "pause_after_failures: " + pauseAfterFailures
                        + "\n");
        edit(
                dir.resolve("workcell.yaml"),
                w -> w.replace(
                        "options: {failure_rate: 0.1, disconnect_rate: 0.01, setup_min: 0.5}",
                        "options: {failure_rate: 1.0, setup_min: 0.5}"));
        return campaign;
    }

    /** examples/{@code example} in {@code dir}, its campaign file edited (the edit must change it); returns that file. */
    public static Path copy(String example, Path dir, UnaryOperator<String> campaignEdit) {
        Path from = Path.of("examples", example);
        try {
            Files.createDirectories(dir);
            for (String f : new String[] {"workcell.yaml", "protocol.yaml"}) {
                Files.copy(from.resolve(f), dir.resolve(f));
            }
            String campaign = Files.readString(from.resolve("campaign.yaml"));
            String edited = campaignEdit.apply(campaign);
            if (edited.equals(campaign)) {
                throw new IllegalStateException("the edit changed nothing in " + from.resolve("campaign.yaml"));
            }
            return Files.writeString(dir.resolve("campaign.yaml"), edited);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Edits a copied file in place; an edit that changes nothing is an error (the example moved on). */
    public static void edit(Path file, UnaryOperator<String> edit) {
        try {
            String text = Files.readString(file);
            String edited = edit.apply(text);
            if (edited.equals(text)) {
                throw new IllegalStateException("the edit changed nothing in " + file);
            }
            Files.writeString(file, edited);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
