package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A solvent screen whose solvents are described by a user's table (dielectric constant, boiling point). */
class DescriptorCampaignTest {
    @TempDir
    Path tmp;

    private static final String SOLVENTS = """
            solvent,dielectric,boiling_point_C
            EtOH,24.5,78.4
            MeCN,37.5,81.6
            DMSO,46.7,189
            THF,7.6,66
            Toluene,2.4,110.6
            DMF,36.7,153
            """;

    private Path campaign() throws Exception {
        Files.writeString(tmp.resolve("workcell.yaml"), """
                workcell: bench-cell
                devices:
                  reactor:
                    kind: reactor
                    capabilities: [react]
                    capacity: 4
                    driver: {type: sim, durations: {react: {mean: 30, sd: 1}}}
                  hplc:
                    kind: analyzer
                    capabilities: [analyse]
                    driver: {type: sim, durations: {analyse: {mean: 6, sd: 0.3}}}
                """);
        Files.writeString(tmp.resolve("protocol.yaml"), """
                protocol: screen
                steps:
                  - name: react
                    capability: react
                    args: {solvent: $solvent, temperature: $temp}
                  - name: analyse
                    capability: analyse
                    measures: true
                """);
        // Yield peaks at a dielectric constant of 40 and at 80 degC: a table that rewards reading the descriptors.
        StringBuilder screen = new StringBuilder("solvent,temp,yield\n");
        SOLVENTS.lines().skip(1).forEach(line -> {
            String[] cells = line.split(",");
            double eps = Double.parseDouble(cells[1]);
            for (int t = 40; t <= 100; t += 20) {
                double y = 90 * Math.exp(-Math.pow((eps - 40) / 15, 2)) * (1 - Math.abs(t - 80) / 100.0);
                screen.append(cells[0])
                        .append(',')
                        .append(t)
                        .append(',')
                        .append(y)
                        .append('\n');
            }
        });
        Files.writeString(tmp.resolve("screen.csv"), screen);
        Files.writeString(tmp.resolve("solvents.csv"), SOLVENTS);
        return Files.writeString(tmp.resolve("campaign.yaml"), """
                campaign: solvent-screen
                workcell: workcell.yaml
                protocol: protocol.yaml
                emulator: {type: lookup, file: screen.csv, outcomes: [yield]}
                parameters:
                  solvent: {type: categorical, choices: [EtOH, MeCN, DMSO, THF, Toluene, DMF], descriptors: solvents.csv}
                  temp: {type: discrete, values: [40, 60, 80, 100], unit: degC}
                objectives:
                  yield: {direction: maximise}
                budget: 12
                batch_size: 2
                planner: {type: bayesian}
                seed: 3
                """);
    }

    @Test
    void choicesWithTheSameDescriptors_areRunWithANote() throws Exception {
        Path file = campaign();
        Files.writeString(tmp.resolve("solvents.csv"), SOLVENTS.replace("DMF,36.7,153", "DMF,37.5,81.6"));

        CliTest.Result run =
                labloop("run", file.toString(), "--data", tmp.resolve("d").toString(), "--no-progress");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("Note: choices MeCN, DMF of parameter 'solvent' have the same descriptors in")
                .contains("cannot tell them apart");
    }

    @Test
    void aCampaignWithADescriptorTable_runs_andRecordsTheTableAmongItsSources() throws Exception {
        Path file = campaign();
        Path data = tmp.resolve("data");

        CliTest.Result run = labloop("run", file.toString(), "--data", data.toString(), "--no-progress");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("12 completed, 0 failed");
        String json =
                labloop("export", "--format", "json", "--data", data.toString()).out();
        assertThat(json).contains("\"role\" : \"descriptors:solvent\"").contains("solvents.csv");

        // The stored copy is what a later command reads: changing the file does not change the campaign.
        Files.writeString(tmp.resolve("solvents.csv"), "solvent,dielectric\nEtOH,1\n");
        CliTest.Result status = labloop("status", "solvent-screen-1", "--data", data.toString());
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(labloop("verify", "--data", data.toString()).code()).isZero();
    }
}
