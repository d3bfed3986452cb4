package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.labloop.campaign.CampaignSpec;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;

/** Valid campaign, workcell and protocol texts that tests break one line at a time, and helpers to load them. */
final class Fixture {
    static final Set<String> PLANNERS = Set.of("random", "sobol", "lhs", "bayesian");
    static final Set<String> EMULATORS = Set.of("snar", "lookup");

    static final String CAMPAIGN = """
            campaign: test
            workcell: workcell.yaml
            protocol: protocol.yaml
            emulator: {type: snar, variant: corrected}
            parameters:
              tau: {type: continuous, min: 0.5, max: 2.0, unit: min}
              conc: {type: discrete, values: [0.1, 0.2, 0.5], unit: mol/L}
              solvent: {type: categorical, choices: [EtOH, MeCN]}
              base: {type: molecule, choices: {KOAc: "CC(=O)[O-].[K+]", CsOPiv: "CC(C)(C)C(=O)[O-].[Cs+]"}}
            objectives:
              sty: {direction: maximise, unit: "kg m-3 h-1"}
              e_factor: {direction: minimize, target: 5, threshold: 20}
            budget: 40
            batch_size: 4
            planner: {type: sobol}
            seed: 7
            """;

    static final String WORKCELL = """
            workcell: cell
            devices:
              handler:
                kind: liquid_handler
                capabilities: [dispense]
                driver:
                  type: sim
                  durations:
                    dispense: {mean: 2.0, sd: 0.2}
              reactor:
                kind: reactor
                capabilities: [react]
                capacity: 8
              hplc:
                kind: analyzer
                capabilities: [analyse]
                driver: {durations: {analyse: 6}, options: {column: C18, flow: [1, 2]}}
            """;

    static final String PROTOCOL = """
            protocol: proto
            steps:
              - name: dispense
                capability: dispense
                args: {conc: $conc, base: $base, solvent: "${solvent}", volume: 2, note: "$$5 each", dry: true}
              - name: react
                capability: react
                duration: $tau
              - name: analyse
                capability: analyse
                measures: true
            """;

    private Fixture() {}

    static CampaignLoader loader() {
        return new CampaignLoader(PLANNERS, EMULATORS);
    }

    /** Writes the three files into {@code dir} and returns the campaign file. */
    static Path write(Path dir, String campaign, String workcell, String protocol) {
        try {
            Files.writeString(dir.resolve("workcell.yaml"), workcell);
            Files.writeString(dir.resolve("protocol.yaml"), protocol);
            return Files.writeString(dir.resolve("campaign.yaml"), campaign);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces one exact piece of a text; fails if it is not there, so tests cannot silently test nothing. */
    static String replace(String text, String piece, String with) {
        if (!text.contains(piece)) {
            fail("fixture text has no '" + piece + "'");
        }
        return text.replace(piece, with);
    }

    /** The spec these files load into. */
    static CampaignSpec spec(Path dir, String campaign, String workcell, String protocol) {
        return loader().load(write(dir, campaign, workcell, protocol)).spec();
    }

    /** The problems loading these files reports; fails when loading succeeds or throws anything else. */
    static List<Problem> problems(Path dir, String campaign, String workcell, String protocol) {
        Path file = write(dir, campaign, workcell, protocol);
        return problems(() -> loader().load(file));
    }

    static List<Problem> problems(Runnable load) {
        InvalidInputException[] caught = new InvalidInputException[1];
        assertThatThrownBy(load::run).isInstanceOfSatisfying(InvalidInputException.class, e -> caught[0] = e);
        return caught[0].problems();
    }

    /** Asserts that {@code problems} is exactly one problem, in {@code file} at line:column, saying these things. */
    static void assertSingle(
            List<Problem> problems, String file, int line, int column, String messagePart, String hintPart) {
        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertProblem(p, file, line, column, messagePart, hintPart));
    }

    static void assertProblem(Problem p, String file, int line, int column, String messagePart, String hintPart) {
        assertThat(p.source()).as("file of %s", p).endsWith(file);
        assertThat(p.line()).as("line of %s", p).isEqualTo(line);
        assertThat(p.column()).as("column of %s", p).isEqualTo(column);
        assertThat(p.message()).as("message of %s", p).contains(messagePart);
        assertThat(p.hint()).as("hint of %s", p).contains(hintPart);
    }

    /** 1-based column of the first {@code token} on 1-based {@code line} of {@code text}. */
    static int col(String text, int line, String token) {
        String l = text.lines().toList().get(line - 1);
        int i = l.indexOf(token);
        if (i < 0) {
            fail("line " + line + " '" + l + "' has no '" + token + "'");
        }
        return i + 1;
    }
}
