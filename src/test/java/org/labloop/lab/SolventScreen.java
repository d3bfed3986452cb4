package org.labloop.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small campaign over a lookup table, for tests: one HPLC analyses two solvents (EtOH yields 10, MeCN 20), budget
 * 2. The objective is on line 8 of campaign.yaml.
 */
public final class SolventScreen {
    private SolventScreen() {}

    /**
     * Writes workcell.yaml, protocol.yaml, screen.csv and campaign.yaml into {@code dir}, the solvent declared as
     * {@code solventParameter} (for example {@code {type: categorical, choices: [EtOH, MeCN]}}); returns the campaign
     * file.
     */
    public static Path write(Path dir, String solventParameter) {
        try {
            Files.writeString(dir.resolve("workcell.yaml"), """
                    workcell: cell
                    devices:
                      hplc:
                        kind: analyzer
                        capabilities: [analyse]
                        driver: {type: sim, durations: {analyse: {mean: 6, sd: 0.3}}}
                    """);
            Files.writeString(dir.resolve("protocol.yaml"), """
                    protocol: p
                    steps:
                      - name: analyse
                        capability: analyse
                        args: {solvent: $solvent}
                        measures: true
                    """);
            Files.writeString(dir.resolve("screen.csv"), "solvent,yield\nEtOH,10\nMeCN,20\n");
            return Files.writeString(dir.resolve("campaign.yaml"), """
                    campaign: screen
                    workcell: workcell.yaml
                    protocol: protocol.yaml
                    emulator: {type: lookup, file: screen.csv, outcomes: [yield]}
                    parameters:
                      solvent: %s
                    objectives:
                      yield: {direction: maximise}
                    budget: 2
                    """.formatted(solventParameter));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
